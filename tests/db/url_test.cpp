// db_url parsing (modules.md §1.2).
#include <gtest/gtest.h>

#include "ser/db.hpp"

using ser::db::parse_url;
using ser::db::Url;

namespace {

Url ok(const char* text) {
    Url u;
    std::string err;
    EXPECT_TRUE(parse_url(text, u, err)) << text << ": " << err;
    return u;
}

bool bad(const char* text) {
    Url u;
    std::string err;
    bool r = parse_url(text, u, err);
    return !r && !err.empty();
}

}  // namespace

TEST(DbUrl, FullForm) {
    Url u = ok("mysql://ser:heslo@localhost:3307/ser");
    EXPECT_EQ(u.scheme, "mysql");
    EXPECT_EQ(u.user, "ser");
    EXPECT_EQ(u.password, "heslo");
    EXPECT_EQ(u.host, "localhost");
    EXPECT_EQ(u.port, 3307);
    EXPECT_EQ(u.database, "ser");
}

TEST(DbUrl, ShorterForms) {
    Url a = ok("mysql://a/b");
    EXPECT_EQ(a.host, "a");
    EXPECT_EQ(a.database, "b");
    EXPECT_EQ(a.user, "");
    EXPECT_EQ(a.port, 0);
    Url b = ok("mysql://user@host/db");
    EXPECT_EQ(b.user, "user");
    EXPECT_EQ(b.password, "");
    Url c = ok("mysql://host:1234/db");
    EXPECT_EQ(c.port, 1234);
    EXPECT_EQ(c.user, "");
}

TEST(DbUrl, SchemeCaseInsensitive) { EXPECT_EQ(ok("MySQL://a/b").scheme, "mysql"); }

TEST(DbUrl, FileForm) {
    Url u = ok("sqlite:///var/lib/ser/ser.db");
    EXPECT_EQ(u.scheme, "sqlite");
    EXPECT_EQ(u.rest, "/var/lib/ser/ser.db");
}

TEST(DbUrl, Malformed) {
    EXPECT_TRUE(bad("mysql"));
    EXPECT_TRUE(bad("mysql:/a/b"));
    EXPECT_TRUE(bad("mysql://host"));
    EXPECT_TRUE(bad("mysql://host/"));
    EXPECT_TRUE(bad("mysql://host:0/db"));
    EXPECT_TRUE(bad("mysql://host:99999/db"));
    EXPECT_TRUE(bad("mysql://host:12x/db"));
    EXPECT_TRUE(bad("mysql://user:pw@/db"));
    EXPECT_TRUE(bad("://a/b"));
}
