"""One `Settings` for the whole project.

Precedence (highest first): init arguments, environment (`RESPONDER_*`), `.env`, the TOML file
(`RESPONDER_CONFIG`, default `config/responder.toml`), then the defaults below. Nested groups are
addressed with a single underscore after the group name, e.g. `RESPONDER_LLM_MODEL`,
`RESPONDER_PROFILE_NAME`, `RESPONDER_POLICY_REMINDER_DAYS`.

Secrets (API key, SMTP/IMAP passwords) are only read from the environment or Streamlit secrets
(which the UI copies into the environment); the TOML file must not hold them and the database
never stores them.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from responder.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG_FILE = PROJECT_ROOT / "config" / "responder.toml"
PLACEHOLDER_SECRETS = {"changeme", "change-me", "your-api-key", "sk-...", "xxx", "secret"}


def _check_secret(value: SecretStr | None) -> SecretStr | None:
    if value is not None and value.get_secret_value().strip().lower() in PLACEHOLDER_SECRETS:
        raise ValueError("looks like a placeholder; set the real secret in the environment")
    return value


class Profile(BaseModel):
    """Who the user is: used to personalise drafts and to recognise their own messages."""

    #: Empty until the user confirms it (first run in the app, or set here / in the environment):
    #: no draft is ever signed with an invented name.
    name: str = ""
    #: Empty: the closing line in the draft's language and the first name (nothing while the
    #: name is unset).
    signature: str = ""
    tone: Literal["friendly", "neutral", "formal"] = "friendly"
    language: str = "en"
    timezone: str = "UTC"
    #: LinkedIn profile URL of the account owner; inferred from an export when empty.
    linkedin_url: str = ""
    #: E-mail addresses of the user (their own mail is direction "out").
    emails: list[str] = Field(default_factory=list)
    #: What the user never buys: mentioned in firm declines.
    never_buy: list[str] = Field(
        default_factory=lambda: ["lead generation", "outsourced development", "SEO services"]
    )
    #: Treat recruiters as genuine instead of declining them.
    keep_recruiters: bool = False


class LLMSettings(BaseModel):
    provider: Literal["offline", "openai"] = "offline"
    model: str = "gpt-4o-mini"
    api_key: SecretStr | None = None
    base_url: str | None = None
    structured_output_method: Literal["json_schema", "function_calling", "json_mode"] = (
        "json_schema"
    )
    temperature: float = 0.2
    timeout_s: float = 30.0
    max_retries: int = 2
    #: Send only sender, subject and links to the model, never the body.
    privacy_mode: bool = False

    _check_key = field_validator("api_key")(classmethod(lambda cls, v: _check_secret(v)))

    def effective_api_key(self) -> SecretStr | None:
        """RESPONDER_LLM_API_KEY, else the OpenAI client's own OPENAI_API_KEY."""
        if self.api_key is not None:
            return self.api_key
        env = os.environ.get("OPENAI_API_KEY")
        return SecretStr(env) if env else None

    def effective_base_url(self) -> str | None:
        """RESPONDER_LLM_BASE_URL, else OPENAI_BASE_URL, else the OpenAI API."""
        return self.base_url or os.environ.get("OPENAI_BASE_URL") or None

    @property
    def enabled(self) -> bool:
        return self.provider == "openai"


class AutoApproveRule(BaseModel):
    enabled: bool = False
    min_confidence: float = 0.9


class PolicySettings(BaseModel):
    #: Below this confidence a message is "needs review" instead of getting an action.
    review_threshold: float = 0.55
    #: Days after which an unanswered genuine message gets a reminder.
    reminder_days: int = 3
    #: Per label: may drafts be approved without the user? Never for report labels.
    auto_approve: dict[str, AutoApproveRule] = Field(
        default_factory=lambda: {
            "sales_pitch": AutoApproveRule(),
            "recruiting": AutoApproveRule(),
            "genuine": AutoApproveRule(),
        }
    )
    daily_auto_approve_cap: int = 20
    business_hours_start: int = 9
    business_hours_end: int = 18
    business_days: list[int] = Field(default_factory=lambda: [0, 1, 2, 3, 4])
    #: Minutes of handling time saved per message handled without the user (dashboard estimate).
    minutes_saved_per_message: float = 2.0
    max_message_chars: int = 20_000
    max_upload_mb: int = 200

    @field_validator("auto_approve")
    @classmethod
    def _never_for_reports(cls, v: dict[str, AutoApproveRule]) -> dict[str, AutoApproveRule]:
        for label, rule in v.items():
            if label in {"phishing", "scam", "harassment"} and rule.enabled:
                raise ValueError(f"auto-approve can never be enabled for {label}")
        return v


class MailSettings(BaseModel):
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_security: Literal["starttls", "ssl", "none"] = "starttls"
    smtp_username: str = ""
    smtp_password: SecretStr | None = None
    from_address: str = ""
    imap_host: str = ""
    imap_port: int = 993
    imap_ssl: bool = True
    imap_username: str = ""
    imap_password: SecretStr | None = None
    imap_folder: str = "INBOX"
    imap_poll_minutes: int = 5
    timeout_s: float = 30.0

    _check_pw = field_validator("smtp_password", "imap_password")(
        classmethod(lambda cls, v: _check_secret(v))
    )


class WorkerSettings(BaseModel):
    tick_seconds: int = 60
    heartbeat_seconds: int = 15
    digest_enabled: bool = False
    digest_hour: int = 8


class UISettings(BaseModel):
    #: Address the app listens on; anything but localhost requires RESPONDER_UI_PASSWORD.
    address: str = "127.0.0.1"
    port: int = 8501
    password: SecretStr | None = None
    page_size: int = 50


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="RESPONDER_",
        env_nested_delimiter="_",
        env_nested_max_split=1,
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        toml_file=DEFAULT_CONFIG_FILE,
    )

    data_dir: Path = PROJECT_ROOT / "data"
    #: Empty means SQLite at <data_dir>/responder.store.db.
    database_url: str = ""
    log_level: str = "INFO"

    profile: Profile = Field(default_factory=Profile)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    policy: PolicySettings = Field(default_factory=PolicySettings)
    mail: MailSettings = Field(default_factory=MailSettings)
    worker: WorkerSettings = Field(default_factory=WorkerSettings)
    ui: UISettings = Field(default_factory=UISettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_path = Path(os.environ.get("RESPONDER_CONFIG", DEFAULT_CONFIG_FILE))
        return (
            init_settings,
            env_settings,
            dotenv_settings,
            TomlConfigSettingsSource(settings_cls, toml_file=toml_path),
        )

    @model_validator(mode="after")
    def _resolve(self) -> Settings:
        self.data_dir = Path(self.data_dir).expanduser()
        if not self.data_dir.is_absolute():
            self.data_dir = (Path.cwd() / self.data_dir).resolve()
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'responder.store.db'}"
        elif self.database_url.startswith("postgresql://"):
            # psycopg 3 is the driver we ship.
            self.database_url = "postgresql+psycopg://" + self.database_url[len("postgresql://") :]
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def masked(self) -> dict[str, Any]:
        """The effective settings as plain data with every secret masked (for `responder config`)."""
        data = self.model_dump(mode="json")
        data["llm"]["api_key"] = _mask(self.llm.effective_api_key())
        data["llm"]["base_url"] = self.llm.effective_base_url()
        data["mail"]["smtp_password"] = _mask(self.mail.smtp_password)
        data["mail"]["imap_password"] = _mask(self.mail.imap_password)
        data["ui"]["password"] = _mask(self.ui.password)
        data["database_url"] = _mask_url(self.database_url)
        return data


def _mask(secret: SecretStr | None) -> str | None:
    if secret is None:
        return None
    value = secret.get_secret_value()
    return "****" + value[-4:] if len(value) >= 12 else "****"


def _mask_url(url: str) -> str:
    """Hide the password in a database URL."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a URL we cannot parse is shown as is minus credentials
        return url.split("@")[-1]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    try:
        return Settings()
    except ValueError as exc:  # pydantic.ValidationError is a ValueError
        raise ConfigError(f"Invalid configuration: {exc}") from exc


def reset_settings_cache() -> None:
    get_settings.cache_clear()
