"""The SER 0.9 database schema (as SER 0.9.6's ser_mysql.sh created it),
described once and rendered for MySQL/MariaDB and for SQLite, so that an
existing SER 0.9 MySQL database works as it is and the embedded database has
the same tables, columns and defaults.

A column is (name, type, not_null, default); default None = no default.
Types are MySQL's; the SQLite rendering keeps the type names (SQLite takes
their affinity from them, and the sqlite driver types results by them)."""

NEVER = "2020-05-28 21:32:15"   # SER's far-future "never expires" date
ZERO = "0000-00-00 00:00:00"


def vc(n):
    return "varchar(%d)" % n


def s(name, n, default="", not_null=True):
    return (name, vc(n), not_null, default)


VERSIONS = [
    ("subscriber", 5), ("reserved", 1), ("phonebook", 1), ("pending", 4), ("missed_calls", 2),
    ("location", 6), ("grp", 2), ("event", 1), ("aliases", 6), ("active_sessions", 1),
    ("acc", 2), ("config", 1), ("silo", 3), ("realm", 1), ("domain", 1), ("uri", 1),
    ("server_monitoring", 1), ("server_monitoring_agg", 1), ("trusted", 1), ("usr_preferences", 2),
    ("preferences_types", 1), ("admin_privileges", 1), ("calls_forwarding", 1), ("speed_dial", 2),
]

SUBSCRIBER_COLUMNS = [
    s("phplib_id", 32), s("username", 64), s("domain", 128), s("password", 25),
    s("first_name", 25), s("last_name", 45), s("phone", 15), s("email_address", 50),
    ("datetime_created", "datetime", True, ZERO), ("datetime_modified", "datetime", True, ZERO),
    s("confirmation", 64), ("flag", "char(1)", True, "o"), s("sendnotification", 50), s("greeting", 50),
    s("ha1", 128), s("ha1b", 128), ("allow_find", "char(1)", True, "0"),
    s("timezone", 128, None, False), s("rpid", 128, None, False), ("domn", "int(10)", False, None),
    s("uuid", 64, None, False),
]
SUBSCRIBER_KEYS = [("primary", ["username", "domain"]), ("unique", "phplib_id", ["phplib_id"]),
                   ("index", "user_2", ["username"])]

LOCATION_COLUMNS = [
    s("username", 64), s("domain", 128), s("contact", 255), s("received", 255, None, False),
    ("expires", "datetime", True, NEVER), ("q", "float(10,2)", True, "1.0"),
    s("callid", 255, "Default-Call-ID"), ("cseq", "int(11)", True, "42"),
    ("last_modified", "timestamp", True, "CURRENT_TIMESTAMP"), ("replicate", "int(10) unsigned", True, "0"),
    ("state", "tinyint(1) unsigned", True, "0"), ("flags", "int(11)", True, "0"), s("user_agent", 50),
]


def acc_columns(deleted=True):
    cols = [s(n, 128) for n in ("sip_from", "sip_to", "sip_status")] + [s("sip_method", 16)]
    cols += [s(n, 128) for n in ("i_uri", "o_uri", "from_uri", "to_uri", "sip_callid")]
    cols += [s("username", 64), s("domain", 128), s("fromtag", 128), s("totag", 128),
             ("time", "datetime", True, ZERO), ("timestamp", "timestamp", True, "CURRENT_TIMESTAMP")]
    if deleted:
        cols += [("caller_deleted", "char(1)", True, "0"), ("callee_deleted", "char(1)", True, "0")]
    return cols


# (name, columns, keys); keys: ("primary", cols) | ("unique", name, cols) | ("index", name, cols)
# Table order as ser_mysql.sh created them.
TABLES = [
    ("acc", acc_columns(), [("index", "acc_user", ["username", "domain"]), ("index", "sip_callid", ["sip_callid"])]),
    ("active_sessions", [s("sid", 32), s("name", 32), ("val", "text", False, None), s("changed", 14)],
     [("primary", ["name", "sid"]), ("index", "changed", ["changed"])]),
    ("aliases", LOCATION_COLUMNS, [("primary", ["username", "domain", "contact"]),
                                   ("index", "aliases_contact", ["contact"])]),
    ("event", [("id", "int(10) unsigned", True, "AUTO"), s("username", 64), s("domain", 128), s("uri", 255),
               s("description", 255)], [("primary", ["id"])]),
    ("grp", [s("username", 64), s("domain", 128), s("grp", 50), ("last_modified", "datetime", True, ZERO)],
     [("primary", ["username", "domain", "grp"])]),
    ("location", LOCATION_COLUMNS, [("primary", ["username", "domain", "contact"])]),
    ("missed_calls", acc_columns(False), [("index", "mc_user", ["username", "domain"])]),
    ("pending", SUBSCRIBER_COLUMNS, SUBSCRIBER_KEYS),
    ("phonebook", [("id", "int(10) unsigned", True, "AUTO"), s("username", 64), s("domain", 128), s("fname", 32),
                   s("lname", 32), s("sip_uri", 128)], [("primary", ["id"])]),
    ("reserved", [("username", "char(64)", True, "")], [("unique", "user2", ["username"])]),
    ("subscriber", SUBSCRIBER_COLUMNS, SUBSCRIBER_KEYS),
    ("config", [s("attribute", 32), s("value", 128), s("username", 64), s("domain", 128),
                ("modified", "timestamp", True, "CURRENT_TIMESTAMP")], []),
    ("silo", [("mid", "int(11)", True, "AUTO"), s("src_addr", 255), s("dst_addr", 255), s("r_uri", 255),
              s("username", 64), s("domain", 128), ("inc_time", "int(11)", True, "0"),
              ("exp_time", "int(11)", True, "0"), s("ctype", 32, "text/plain"), ("body", "blob", False, None)],
     [("primary", ["mid"])]),
    ("domain", [s("domain", 128), ("last_modified", "datetime", True, ZERO)], [("primary", ["domain"])]),
    ("uri", [s("username", 64), s("domain", 128), s("uri_user", 50), ("last_modified", "datetime", True, ZERO)],
     [("primary", ["username", "domain", "uri_user"])]),
    ("server_monitoring", [("time", "datetime", True, ZERO), ("id", "int(10) unsigned", True, "0"),
                           s("param", 32), ("value", "int(10)", True, "0"), ("increment", "int(10)", True, "0")],
     [("primary", ["id", "param"])]),
    ("usr_preferences", [s("uuid", 64), s("username", 100, "0"), s("domain", 128), s("attribute", 32),
                         s("value", 128), ("type", "int(11)", True, "0"),
                         ("modified", "timestamp", True, "CURRENT_TIMESTAMP")],
     [("primary", ["attribute", "username", "domain"])]),
    ("preferences_types", [s("att_name", 50), s("att_rich_type", 32, "string"),
                           ("att_raw_type", "int(10) unsigned", True, "2"), ("att_type_spec", "text", False, None),
                           s("default_value", 100)], [("primary", ["att_name"])]),
    ("trusted", [s("src_ip", 39, None), s("proto", 4, None), s("from_pattern", 64, None)],
     [("primary", ["src_ip", "proto", "from_pattern"])]),
    ("server_monitoring_agg", [s("param", 32), ("s_value", "int(10)", True, "0"), ("s_increment", "int(10)", True, "0"),
                               ("last_aggregated_increment", "int(10)", True, "0"), ("av", "float", True, "0"),
                               ("mv", "int(10)", True, "0"), ("ad", "float", True, "0"), ("lv", "int(10)", True, "0"),
                               ("min_val", "int(10)", True, "0"), ("max_val", "int(10)", True, "0"),
                               ("min_inc", "int(10)", True, "0"), ("max_inc", "int(10)", True, "0"),
                               ("lastupdate", "datetime", True, ZERO)], [("primary", ["param"])]),
    ("admin_privileges", [s("username", 64), s("domain", 128), s("priv_name", 64), s("priv_value", 64)],
     [("primary", ["username", "priv_name", "priv_value", "domain"])]),
    ("calls_forwarding", [s("username", 64), s("domain", 128), s("uri_re", 128), s("purpose", 32), s("action", 32),
                          s("param1", 128, None, False), s("param2", 128, None, False)],
     [("primary", ["username", "domain", "uri_re", "purpose"])]),
    ("speed_dial", [s("username", 64), s("domain", 128), s("sd_username", 64), s("sd_domain", 128),
                    s("new_uri", 192), s("fname", 128), s("lname", 128), s("description", 64)],
     [("primary", ["username", "domain", "sd_username", "sd_domain"])]),
]


def _lit(v):
    return "'" + v.replace("'", "''") + "'"


def _column(dialect, col):
    name, typ, not_null, default = col
    if default == "AUTO":
        if dialect == "sqlite":
            return "%s INTEGER PRIMARY KEY AUTOINCREMENT" % name
        return "%s %s NOT NULL auto_increment" % (name, typ)
    if dialect == "sqlite" and typ.endswith(" unsigned"):
        typ = "unsigned " + typ[:-len(" unsigned")]   # SQLite's type names end at the parentheses
    out = "%s %s" % (name, typ)
    if not_null:
        out += " NOT NULL"
    if default == "CURRENT_TIMESTAMP":
        out += " DEFAULT CURRENT_TIMESTAMP"
        if dialect == "mysql":
            out += " ON UPDATE CURRENT_TIMESTAMP"
    elif default is not None:
        out += " DEFAULT " + _lit(default)
    elif not not_null:
        out += " DEFAULT NULL"
    return out


def table_sql(dialect, name, columns, keys):
    auto = any(c[3] == "AUTO" for c in columns)
    parts = [_column(dialect, c) for c in columns]
    after = []
    for k in keys:
        if k[0] == "primary":
            if not (auto and dialect == "sqlite"):
                parts.append("PRIMARY KEY (%s)" % ", ".join(k[1]))
        elif dialect == "mysql":
            parts.append("%s %s (%s)" % ("UNIQUE KEY" if k[0] == "unique" else "KEY", k[1], ", ".join(k[2])))
        else:
            after.append("CREATE %sINDEX %s_%s ON %s (%s);" % ("UNIQUE " if k[0] == "unique" else "", name, k[1],
                                                                name, ", ".join(k[2])))
    # InnoDB, not SER's MyISAM: crash-safe, and row locks for the workers'
    # concurrent writes (an existing MyISAM database works as it is).
    tail = ") ENGINE=InnoDB;" if dialect == "mysql" else ");"
    return "\n".join(["CREATE TABLE %s (" % name, "  " + ",\n  ".join(parts), tail] + after)


def schema_sql(dialect):
    """Every table and the version rows, in ser_mysql.sh's order."""
    out = ["CREATE TABLE version (\n  table_name varchar(64) NOT NULL,\n  table_version smallint(5) NOT NULL DEFAULT '0'\n)%s;"
           % (" ENGINE=InnoDB" if dialect == "mysql" else "")]
    out += ["INSERT INTO version VALUES (%s, %d);" % (_lit(t), v) for t, v in VERSIONS]
    out += [table_sql(dialect, n, c, k) for n, c, k in TABLES]
    return "\n".join(out) + "\n"
