"""``akool-tui config path | show``."""

from __future__ import annotations

from .context import EXIT_OK, Context


# -- config -------------------------------------------------------------------------------------


def cmd_config_path(ctx: Context) -> int:
    from ..config import config_path

    path = ctx.config.path or config_path()
    ctx.emit({"path": str(path), "exists": path.exists()}, lambda: str(path), ready=True)
    return EXIT_OK


def cmd_config_show(ctx: Context) -> int:
    """The effective config as TOML (secrets masked), each top-level value's source noted."""
    import tomli_w

    from ..config import ENV_OVERRIDES, config_path

    cfg = ctx.config
    data = cfg.to_dict(masked=True)
    path = None if ctx.args.demo else (cfg.path or config_path())
    env_names = {key: var for var, key in ENV_OVERRIDES.items()}
    sources = {k: cfg.source_of(k) for k in ("base_url", "api_key", "client_id", "client_secret",
                                              "refresh_interval")}
    if ctx.args.demo:
        sources = dict.fromkeys(sources, "demo")

    def human() -> str:
        if path is None:
            where = "# demo mode: nothing is read from or written to disk"
        else:
            where = f"# {path}" + ("" if path.exists() else " (not created yet)")
        lines = [where, f"# auth: {cfg.auth_mode}"]
        in_table = False
        for line in tomli_w.dumps(data).splitlines():
            in_table = in_table or line.startswith("[")
            key = line.split(" = ", 1)[0]
            source = None if in_table or " = " not in line else sources.get(key)
            if source == "env":
                source = f"env {env_names[key]}"
            lines.append(f"{line}  # {source}" if source else line)
        return "\n".join(lines)

    ctx.emit({"path": str(path) if path else None, "auth_mode": cfg.auth_mode,
              "sources": sources, "config": data}, human, ready=True)
    return EXIT_OK
