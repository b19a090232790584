"""Check that PostgreSQL or Redis answers; create the PostgreSQL database if it is missing."""

import sys
from urllib.parse import urlparse


def check_postgres(url: str) -> str:
    import psycopg
    from psycopg import sql

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    maintenance_url = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(maintenance_url, autocommit=True, connect_timeout=3) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        version = conn.execute("SHOW server_version").fetchone()[0]
    return f"PostgreSQL {version} at {parsed.hostname}:{parsed.port or 5432}, database {name}"


def check_redis(url: str) -> str:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=3)
    client.ping()
    return f"Redis {client.info('server')['redis_version']} at {url}"


if __name__ == "__main__":
    kind, url = sys.argv[1], sys.argv[2]
    try:
        print((check_postgres if kind == "postgres" else check_redis)(url))
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        print(f"{kind} check failed: {exc}", file=sys.stderr)
        sys.exit(1)
