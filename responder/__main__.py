from responder.cli import app

app(prog_name="responder")
