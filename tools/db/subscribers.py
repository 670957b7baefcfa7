"""Subscribers as SER 0.9's serctl kept them: a `subscriber` row with the
plain password and both digest hashes, and the identity row in `uri`
(uri_user = username) that check_to/check_from and does_uri_exist read.

  ha1  = MD5(user:realm:password)          realm = the user's domain
  ha1b = MD5(user@domain:realm:password)   for digest user names with a domain"""

import hashlib
import os
import time

from database import Duplicate, Refused


def gen_ha1(user, realm, password):
    """SER's gen_ha1: the 32 lower-case hex digits of MD5(user:realm:password)."""
    return hashlib.md5(("%s:%s:%s" % (user, realm, password)).encode()).hexdigest()


def check_text(what, value):
    # A line break would split a FIFO request line or a client batch row.
    if any(ord(ch) < 0x20 or ch == "\x7f" for ch in value):
        raise Refused("%s contains a control character (line break, tab ...): refused" % what)
    return value


def split_user(arg):
    """user@domain, or user with the domain from SIP_DOMAIN -> (user, domain)."""
    check_text("user name", arg)
    if "@" not in arg:
        domain = os.environ.get("SIP_DOMAIN")
        if not domain:
            raise Refused("domain unknown: use user@domain or set SIP_DOMAIN")
        return arg, domain
    user, domain = arg.split("@", 1)
    if not user or not domain:
        raise Refused("invalid user '%s': expected user@domain" % arg)
    return user, domain


def now():
    return time.strftime("%Y-%m-%d %H:%M:%S")


class Subscribers:
    """The subscriber and uri rows of one Database."""

    def __init__(self, db):
        self.db = db

    def exists(self, user, domain):
        rows = self.db.query("SELECT count(*) FROM subscriber WHERE username=? AND domain=?", (user, domain))
        return int(rows[0][0]) > 0

    def add(self, user, domain, password, email=""):
        check_text("password", password)
        check_text("e-mail address", email)
        if self.exists(user, domain):
            raise Refused("user already exists")
        ha1 = gen_ha1(user, domain, password)
        ha1b = gen_ha1(user + "@" + domain, domain, password)
        try:
            self.db.transaction([
                ("INSERT INTO subscriber (username, domain, ha1, ha1b, password, email_address, datetime_created, "
                 "phplib_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (user, domain, ha1, ha1b, password, email, now(), ha1)),
                ("INSERT INTO uri (username, domain, uri_user, last_modified) VALUES (?, ?, ?, ?)",
                 (user, domain, user, now())),
            ])
        except Duplicate:
            # Added by someone else since the check, or a uri row left behind:
            # the transaction took nothing in.
            raise Refused("user already exists (in the subscriber or the uri table)")

    def passwd(self, user, domain, password):
        check_text("password", password)
        if not self.exists(user, domain):
            raise Refused("non-existent user")
        self.db.query("UPDATE subscriber SET ha1=?, ha1b=?, password=?, datetime_modified=? "
                      "WHERE username=? AND domain=?",
                      (gen_ha1(user, domain, password), gen_ha1(user + "@" + domain, domain, password), password,
                       now(), user, domain))

    def remove(self, user, domain):
        """The user, its uri rows and its group memberships (serctl's acl revoke)."""
        if not self.exists(user, domain):
            raise Refused("non-existent user")
        self.db.transaction([
            ("DELETE FROM uri WHERE username=? AND domain=?", (user, domain)),
            ("DELETE FROM grp WHERE username=? AND domain=?", (user, domain)),
            ("DELETE FROM subscriber WHERE username=? AND domain=?", (user, domain)),
        ])

    def users(self):
        return self.db.query("SELECT username, domain, email_address FROM subscriber ORDER BY domain, username")
