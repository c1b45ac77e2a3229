-- Accounts for the web application and the API (sqlite dialect; keep in step with the other dialect).
-- Passwords and tokens are never stored: only an Argon2 hash (passwords) or a SHA-256 digest (session and
-- API tokens, which are long random values, so a fast digest is enough).

CREATE TABLE app_user (
    id              INTEGER PRIMARY KEY,
    username        TEXT    NOT NULL CHECK (length(trim(username)) > 0),
    display_name    TEXT    NOT NULL,
    password_hash   TEXT    NOT NULL,
    role            TEXT    NOT NULL CHECK (role IN ('admin', 'central', 'province_officer', 'province_approver',
                                                     'ngo_reporter', 'viewer')),
    province_code   TEXT,
    organisation_id INTEGER REFERENCES organisation (id),
    active          BOOLEAN NOT NULL DEFAULT TRUE,
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE UNIQUE INDEX app_user_username_key ON app_user (username);

-- A browser session: the cookie carries the token, the row its digest. Rotated at login (a new row), ended
-- at logout, all of a user's ended by "log out everywhere" or a password change.
CREATE TABLE user_session (
    id          INTEGER PRIMARY KEY,
    token_hash  TEXT    NOT NULL,
    user_id     INTEGER NOT NULL REFERENCES app_user (id),
    csrf_token  TEXT    NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    ended_at    TEXT
);
CREATE UNIQUE INDEX user_session_token_key ON user_session (token_hash);
CREATE INDEX user_session_user ON user_session (user_id);

-- Bearer tokens for the JSON API.
CREATE TABLE api_token (
    id           INTEGER PRIMARY KEY,
    token_hash   TEXT    NOT NULL,
    user_id      INTEGER NOT NULL REFERENCES app_user (id),
    label        TEXT    NOT NULL,
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
);
CREATE UNIQUE INDEX api_token_token_key ON api_token (token_hash);

-- Every login attempt, for throttling (too many failures for a name or from a client in a window).
CREATE TABLE login_attempt (
    id           INTEGER PRIMARY KEY,
    username     TEXT    NOT NULL,
    client       TEXT    NOT NULL,
    succeeded    BOOLEAN NOT NULL,
    attempted_at TEXT NOT NULL
);
CREATE INDEX login_attempt_username ON login_attempt (username, attempted_at);
CREATE INDEX login_attempt_client ON login_attempt (client, attempted_at);
