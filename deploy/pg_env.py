"""DATABASE_URL → libpq environment (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE…),
for the backup scripts.

The URL is read by django-environ, exactly as the settings read it, and handed to
pg_dump/psql through the environment rather than on the command line, where any user
of the machine could read the password in the process list.

    eval "$(python deploy/pg_env.py exports "$DATABASE_URL")"      # shell exports
    python deploy/pg_env.py with-name "$DATABASE_URL" other_db     # same server, other database
    python deploy/pg_env.py name "$DATABASE_URL"                   # the database name

Exit status 2, with a Vietnamese message, when the URL is not a PostgreSQL one.
"""

import shlex
import sys
from urllib.parse import quote, urlsplit

import environ

POSTGRES_ENGINES = ("django.db.backends.postgresql", "django.contrib.gis.db.backends.postgis")
# libpq variables for the connection options django-environ passes through.
OPTION_VARIABLES = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "application_name": "PGAPPNAME",
}


class NotPostgres(Exception):
    pass


def config_of(url: str) -> dict:
    if not url:
        raise NotPostgres("DATABASE_URL chưa được đặt.")
    config = environ.Env.db_url_config(url)
    if config.get("ENGINE") not in POSTGRES_ENGINES:
        raise NotPostgres(
            f"DATABASE_URL không phải PostgreSQL ({config.get('ENGINE')}); "
            "sao lưu bằng pg_dump chỉ dùng cho PostgreSQL."
        )
    if not config.get("NAME"):
        raise NotPostgres("DATABASE_URL không nêu tên cơ sở dữ liệu.")
    return config


def variables(url: str) -> dict[str, str]:
    config = config_of(url)
    found = {
        "PGHOST": config.get("HOST") or "",
        "PGPORT": str(config.get("PORT") or ""),
        "PGUSER": config.get("USER") or "",
        "PGPASSWORD": config.get("PASSWORD") or "",
        "PGDATABASE": config["NAME"],
    }
    for option, variable in OPTION_VARIABLES.items():
        if option in config.get("OPTIONS", {}):
            found[variable] = str(config["OPTIONS"][option])
    # An empty value would mean "empty", not "default": leave such variables out.
    return {key: value for key, value in found.items() if value}


def url_with_name(url: str, name: str) -> str:
    config_of(url)
    parts = urlsplit(url)
    # Only the last segment: postgres:////run/postgresql/NAME keeps its socket folder.
    folder = parts.path.rsplit("/", 1)[0]
    # Put together by hand: urlunsplit would turn an empty host with "//run/…" into a host.
    query = f"?{parts.query}" if parts.query else ""
    return f"{parts.scheme}://{parts.netloc}{folder}/{quote(name, safe='')}{query}"


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] not in ("exports", "with-name", "name"):
        print(__doc__, file=sys.stderr)
        return 2
    try:
        if argv[0] == "exports":
            for key, value in variables(argv[1]).items():
                print(f"export {key}={shlex.quote(value)}")
        elif argv[0] == "name":
            print(config_of(argv[1])["NAME"])
        else:
            if len(argv) != 3:
                print(__doc__, file=sys.stderr)
                return 2
            print(url_with_name(argv[1], argv[2]))
    except NotPostgres as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
