"""Writes to accounts, each audited: users and their roles (users.py), people's team roles
(team_roles.py), personal API tokens (tokens.py), passwords and sessions (passwords.py)."""

from .users import ROLE_GROUPS, USER_EDITABLE, role_groups_ensure, user_create, user_update  # noqa: F401
