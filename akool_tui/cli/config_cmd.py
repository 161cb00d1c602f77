"""``akool-tui config path | show | profiles``."""

from __future__ import annotations

from typing import Any

from .context import EXIT_OK, Context

# -- config -------------------------------------------------------------------------------------


def cmd_config_path(ctx: Context) -> int:
    from ..config import config_path

    path = ctx.config.path or config_path()
    ctx.emit({"path": str(path), "exists": path.exists()}, lambda: str(path), ready=True)
    return EXIT_OK


def masked_profile(table: dict[str, Any]) -> dict[str, Any]:
    """A ``[profiles.NAME]`` table for display: its secrets reduced to their last 4."""
    from ..api.secrets import mask
    from ..config import SECRET_KEYS

    return {key: (masked_profile(value) if isinstance(value, dict)
                  else mask(value) if key in SECRET_KEYS else value)
            for key, value in table.items()}


def _profile_line(cfg: Any) -> str:
    source = f" (from {cfg.profile_source})" if cfg.profile_source else ""
    return (f"# profile: {cfg.profile}{source}"
            + (" -- read-only: nothing is created, closed, uploaded or saved"
               if cfg.read_only else ""))


def cmd_config_show(ctx: Context) -> int:
    """The effective config as TOML (secrets masked), each top-level value's source noted."""
    import tomli_w

    from ..config import ENV_OVERRIDES, config_path

    cfg = ctx.config
    data = cfg.to_dict(masked=True)
    if cfg.profiles:
        data["profiles"] = {name: masked_profile(table) for name, table in cfg.profiles.items()}
    path = None if ctx.args.demo else (cfg.path or config_path())
    env_names = {key: var for var, key in ENV_OVERRIDES.items()}
    # every value's source, top-level and in its table ("defaults.language")
    sources = {key: cfg.source_of(key) for key in _value_keys(data)}
    if ctx.args.demo:
        sources = dict.fromkeys(sources, "demo")

    def human() -> str:
        if path is None:
            where = "# demo mode: nothing is read from or written to disk"
        else:
            where = f"# {path}" + ("" if path.exists() else " (not created yet)")
        lines = [where, _profile_line(cfg), f"# auth: {cfg.auth_mode}"]
        table = ""
        for line in tomli_w.dumps(data).splitlines():
            if line.startswith("["):
                table = line.strip("[]")
            key = line.split(" = ", 1)[0].strip('"')  # "app.quit" in [keymap]
            source = None if " = " not in line else sources.get(
                f"{table}.{key}" if table else key)
            if source == "env":
                source = f"env {env_names[key]}"
            lines.append(f"{line}  # {source}" if source else line)
        return "\n".join(lines)

    ctx.emit({"path": str(path) if path else None, "profile": cfg.profile,
              "profile_source": cfg.profile_source or None, "read_only": cfg.read_only,
              "auth_mode": cfg.auth_mode, "sources": sources, "config": data}, human, ready=True)
    return EXIT_OK


def _value_keys(data: dict[str, Any]) -> list[str]:
    """The keys of the shown values: top-level, then ``table.key`` (profiles left out:
    they are definitions, not values in use)."""
    keys = []
    for key, value in data.items():
        if isinstance(value, dict):
            if key != "profiles":
                keys.extend(f"{key}.{inner}" for inner in value)
        else:
            keys.append(key)
    return keys


def cmd_config_profiles(ctx: Context) -> int:
    """Every profile: name, in use, read-only, colour, base URL, auth (nothing secret)."""
    from ..config import DEFAULT_BASE_URL, profile_color, profile_names, select_profile

    cfg = ctx.config
    rows = []
    if cfg.profile == "demo":
        names = ["demo"]
    else:
        names = profile_names(cfg)
    for name in names:
        if name == cfg.profile:
            one = cfg
        else:
            base = _top_level(cfg)
            one = select_profile(base, name) if name != "default" else base
        rows.append({"name": name, "active": name == cfg.profile, "read_only": one.read_only,
                     "color": profile_color(name, one.color),
                     "base_url": one.base_url or DEFAULT_BASE_URL, "auth": one.auth_mode})

    def human() -> str:
        from .output import table

        return table(["", "PROFILE", "READ-ONLY", "COLOR", "BASE URL", "AUTH"],
                     [["*" if r["active"] else "", r["name"], "yes" if r["read_only"] else "",
                       r["color"], r["base_url"], r["auth"]] for r in rows])

    ctx.emit(rows, human, ready=True)
    return EXIT_OK


def _top_level(cfg: Any) -> Any:
    """The file's top level (the ``default`` profile) as read, without overrides."""
    from ..config import load_config

    return load_config(cfg.path, env={}, profile="default") if cfg.path else cfg
