"""The one way regiograph speaks HTTP to a SPARQL store: logins, redirects and errors.

Credentials come the way users of curl and requests expect them:

- ``--user NAME``: the password from the environment variable ``REGIOGRAPH_PASSWORD``,
  or asked for at a terminal (never a command-line argument: others see those in ``ps``);
- without ``--user``: the entry of the endpoint's host in a netrc file (``--netrc FILE``,
  else the file named by ``NETRC``, else ``~/.netrc``), as ``curl --netrc`` and requests do.

The store's challenge chooses HTTP basic or digest (Virtuoso's Graph Store Protocol asks
for digest). The password is held by :class:`Login` only: its ``repr`` leaves it out, no
message of this package prints it, and it is offered only to the endpoint's own scheme,
host and port (a redirect elsewhere gets no credentials).
"""

from __future__ import annotations

import html
import netrc
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..base.text import one_line

PASSWORD_ENV = "REGIOGRAPH_PASSWORD"
"""The environment variable read for ``--user``'s password."""


class LoginError(Exception):
    """No password for ``--user``, or a netrc file that cannot be read; ``str()`` says
    what would fix it (never the password)."""


@dataclass(frozen=True)
class Login:
    """A user name and password for one endpoint, and where the password came from."""

    user: str
    password: str = field(repr=False)
    origin: str = ""

    def __str__(self) -> str:
        """For messages: the user and the password's origin, never the password.

        >>> str(Login("dba", "secret", "REGIOGRAPH_PASSWORD"))
        'user dba (password from REGIOGRAPH_PASSWORD)'
        >>> "secret" in repr(Login("dba", "secret"))
        False
        """
        return f"user {self.user} (password from {self.origin})" if self.origin \
            else f"user {self.user}"


def netrc_path(given: str | os.PathLike | None = None) -> Path:
    """The netrc file to read: ``given``, else ``$NETRC``, else ``~/.netrc``."""
    if given:
        return Path(given)
    if os.environ.get("NETRC"):
        return Path(os.environ["NETRC"])
    return Path.home() / ".netrc"


def login_for(url: str, user: str | None = None, *,
              netrc_file: str | os.PathLike | None = None,
              ask: Callable[[str], str] | None = None,
              environ: dict | None = None) -> Login | None:
    """The login to send to ``url``: ``user`` with the password of ``REGIOGRAPH_PASSWORD``
    (or ``ask(prompt)`` when it is unset and ``ask`` is given: a terminal's prompt), or
    without ``user`` the netrc entry of ``url``'s host (None when there is none).

    Raises LoginError when ``user`` has no password, or when a netrc file named by
    ``netrc_file`` cannot be read or parsed. Cost: reads one small file at most.

    >>> login_for("http://127.0.0.1:8890/sparql", "dba", environ={PASSWORD_ENV: "pw"})
    Login(user='dba', origin='REGIOGRAPH_PASSWORD')
    >>> login_for("http://127.0.0.1/sparql", netrc_file="/nonexistent", environ={})
    Traceback (most recent call last):
    ...
    graph.query.connection.LoginError: --netrc /nonexistent: cannot read it (No such file ...)
    """
    environ = os.environ if environ is None else environ
    if user is not None:
        if not user or any(c in user for c in "\r\n\0"):
            raise LoginError("--user: give a user name (no line breaks)")
        password = environ.get(PASSWORD_ENV)
        if password:
            return Login(user, password, PASSWORD_ENV)
        if ask is not None:
            return Login(user, ask(f"Password for {user} at {_origin(url)}"), "the prompt")
        raise LoginError(f"--user {user}: no password; set the environment variable "
                         f"{PASSWORD_ENV} (or run at a terminal to be asked for it)")
    path = netrc_path(netrc_file)
    if netrc_file is None and not path.is_file():
        return None  # no netrc file at all is the usual case
    # a file read without being named says so: the user may not know it is read
    named = f"--netrc {path}" if netrc_file else f"the netrc file {path} (read for a login)"
    try:
        entries = netrc.netrc(os.fspath(path))
    except netrc.NetrcParseError as exc:
        raise LoginError(f"{named}: line {exc.lineno}: {exc.msg}") from None
    except OSError as exc:
        raise LoginError(f"{named}: cannot read it ({exc.strerror})") from None
    host = urllib.parse.urlsplit(url).hostname or ""
    found = entries.authenticators(host)
    if not found or not found[0]:
        return None
    if not found[2]:
        raise LoginError(f"{named}: the entry for {host} has no password")
    return Login(found[0], found[2], f"netrc {path}")


def _origin(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"


class Redirected(Exception):
    """A redirect to something other than http(s)."""


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only to another http(s) URL (urllib also follows ftp://)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if urllib.parse.urlsplit(newurl).scheme.lower() not in ("http", "https"):
            raise Redirected(f"{req.full_url} redirected to {newurl}: only http:// and "
                             "https:// are followed")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def opener(url: str, login: Login | None = None) -> urllib.request.OpenerDirector:
    """A urllib opener for requests to ``url``: http(s) redirects only, and with ``login``
    the basic and digest handlers, whose password is offered to ``url``'s scheme, host
    and port alone. Cost: none until used; one per command is enough.
    """
    handlers: list = [_HttpOnlyRedirects]
    if login is not None:
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        passwords.add_password(None, _origin(url) + "/", login.user, login.password)
        # digest before basic (urllib's own order): each answers only its own challenge
        handlers += [urllib.request.HTTPDigestAuthHandler(passwords),
                     urllib.request.HTTPBasicAuthHandler(passwords)]
    return urllib.request.build_opener(*handlers)


def server_words(body: bytes | str, limit: int = 300) -> str:
    r"""What a store said in an error's body, for a message: an HTML page reduced to its
    text, the first line that names an error (Virtuoso's ``SR…`` codes first), as one
    printable line (``graph.base.text.one_line``: a terminal acts on none of it), at most
    ``limit`` characters, after ": " — or "" when it said nothing.

    >>> server_words(b"<html><title>t</title><h1>500</h1><p>Virtuoso 42000 Error SR186: "
    ...              b"No permission</p></html>")
    ': Virtuoso 42000 Error SR186: No permission'
    >>> server_words("boom \x1b]0;pwned\x07\nmore")
    ': boom \\u001b]0;pwned\\u0007'
    """
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    if text.lstrip()[:1] == "<":  # an HTML page: its text
        text = html.unescape(re.sub(r"(?s)<(script|style|title).*?</\1>|<[^>]*>", "\n", text))
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    said = [line for line in lines if re.search(r"\bSR\d+", line)] or \
        [line for line in lines if re.search(r"\bError\b", line)]
    first = one_line((said or lines or [""])[0])[:limit]
    return f": {first}" if first else ""


def refused_login(status: int, login: Login | None) -> str:
    """What to say after a 401 or 403, without the password.

    >>> print(refused_login(401, None))  # doctest: +ELLIPSIS
    the endpoint asks for a login: give --user NAME (password in REGIOGRAPH_PASSWORD) or...
    >>> print(refused_login(401, Login("dba", "x", "REGIOGRAPH_PASSWORD")))
    user dba (password from REGIOGRAPH_PASSWORD) was not accepted: check the name and password
    """
    if login is None:
        return (f"the endpoint asks for a login: give --user NAME (password in "
                f"{PASSWORD_ENV}) or a netrc entry")
    if status == 401:
        return f"{login} was not accepted: check the name and password"
    return f"{login} is not allowed to do this here (ask the store's administrator)"


__all__ = ["PASSWORD_ENV", "Login", "LoginError", "Redirected", "login_for", "netrc_path",
           "opener", "refused_login", "server_words"]
