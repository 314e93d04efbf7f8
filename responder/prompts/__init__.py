"""The prompt library as validated data: the YAML schema (`schema`), loading and sandboxed rendering
(`library`), and the user's stored versions (`versions`).
"""
