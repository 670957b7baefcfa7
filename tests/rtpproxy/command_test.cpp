// The control-command parser and the reply texts (rtpproxy/command.hpp,
// rtpproxy/reply.hpp; spec rtpproxy-protocol §2.3, §3, §3.8, §3.9),
// including garbage and truncated input.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "rtpproxy/command.hpp"
#include "rtpproxy/reply.hpp"

using namespace ser::rtpp;

namespace {

Command ok(std::string_view text, bool udp = false) {
    ParseResult r = parse_command(text, udp);
    EXPECT_TRUE(r.command.has_value()) << "'" << text << "' -> E" << static_cast<int>(r.error);
    return r.command.value_or(Command{});
}

int err(std::string_view text, bool udp = false) {
    ParseResult r = parse_command(text, udp);
    EXPECT_FALSE(r.command.has_value()) << text;
    return static_cast<int>(r.error);
}

}  // namespace

TEST(RtppCommand, TokensSplitOnSpaceTabCrLfAndSkipEmpties) {
    std::string_view t[10];
    size_t n = tokenize("  U\tcid\r\n 1.2.3.4   5000 \n", t, 10);
    ASSERT_EQ(n, 4u);
    EXPECT_EQ(t[0], "U");
    EXPECT_EQ(t[1], "cid");
    EXPECT_EQ(t[2], "1.2.3.4");
    EXPECT_EQ(t[3], "5000");
}

TEST(RtppCommand, TextAfterNulIsIgnored) {
    std::string text("V\0 extra", 8);
    EXPECT_EQ(ok(text).verb, Verb::version);
}

TEST(RtppCommand, VersionTakesNoArgument) {
    EXPECT_EQ(ok("V").verb, Verb::version);
    EXPECT_EQ(ok("v").verb, Verb::version);
    EXPECT_EQ(err("V 20040107"), 2);
}

TEST(RtppCommand, VersionFeatureTakesExactlyOne) {
    Command c = ok("VF 20050322");
    EXPECT_EQ(c.verb, Verb::version_feature);
    EXPECT_EQ(c.feature, "20050322");
    EXPECT_EQ(ok("vf 1").verb, Verb::version_feature);
    EXPECT_EQ(err("VF"), 2);
    EXPECT_EQ(err("VF 1 2"), 2);
    // Only the letter after V is looked at (2006 daemon).
    EXPECT_EQ(ok("VFxyz 20040107").verb, Verb::version_feature);
}

TEST(RtppCommand, UpdateFields) {
    Command c = ok("U a84b4c76e66710 203.0.113.5 49170 1928301774;1");
    EXPECT_EQ(c.verb, Verb::update);
    EXPECT_EQ(c.call_id, "a84b4c76e66710");
    EXPECT_EQ(c.addr, "203.0.113.5");
    EXPECT_EQ(c.port, "49170");
    EXPECT_EQ(c.from_tag, "1928301774;1");
    EXPECT_FALSE(c.to_tag);
    Command l = ok("L a84b4c76e66710 198.51.100.20 3456 1928301774;1 a6c85cf");
    EXPECT_EQ(l.verb, Verb::lookup);
    ASSERT_TRUE(l.to_tag);
    EXPECT_EQ(*l.to_tag, "a6c85cf");
}

TEST(RtppCommand, UpdateLookupArgumentCountIsE4) {
    EXPECT_EQ(err("U cid 1.2.3.4 5000"), 4);
    EXPECT_EQ(err("L cid 1.2.3.4 5000 a b c"), 4);
    EXPECT_EQ(err("U"), 4);
    // More than 10 tokens: only 10 are seen, which is still too many for U.
    EXPECT_EQ(err("U c a p f t x x x x x x x"), 4);
}

TEST(RtppCommand, DeleteRecordStopArgumentCountIsE1) {
    Command d = ok("D cid ftag ttag");
    EXPECT_EQ(d.verb, Verb::remove);
    EXPECT_EQ(d.from_tag, "ftag");
    EXPECT_EQ(*d.to_tag, "ttag");
    EXPECT_EQ(ok("D cid ftag").to_tag, std::nullopt);
    EXPECT_EQ(err("D cid"), 1);
    EXPECT_EQ(err("D cid a b c"), 1);
    EXPECT_EQ(ok("R cid f").verb, Verb::record);
    EXPECT_EQ(ok("S cid f t").verb, Verb::stop_play);
    EXPECT_EQ(err("R cid"), 1);
    EXPECT_EQ(err("S"), 1);
}

TEST(RtppCommand, PlayFieldsAndCount) {
    Command p = ok("P cid /prompts/ring 0,8 ftag");
    EXPECT_EQ(p.verb, Verb::play);
    EXPECT_EQ(p.prompt, "/prompts/ring");
    EXPECT_EQ(p.codecs, "0,8");
    EXPECT_EQ(p.play_count, 1);
    EXPECT_EQ(ok("P3 cid p 0 f t").play_count, 3);
    EXPECT_EQ(ok("P0 cid p 0 f").play_count, 0);
    EXPECT_EQ(err("P cid p 0"), 4);
}

TEST(RtppCommand, UnknownLetterIsE3AndEmptyIsE0) {
    EXPECT_EQ(err("Z cid"), 3);
    EXPECT_EQ(err("hello world"), 3);
    EXPECT_EQ(err(""), 0);
    EXPECT_EQ(err(" \r\n\t "), 0);
}

TEST(RtppCommand, ModifiersAsymmetricLastLetterWins) {
    EXPECT_EQ(ok("U c a p f").mods.asymmetric, std::nullopt);
    EXPECT_EQ(ok("Ua c a p f").mods.asymmetric, true);
    EXPECT_EQ(ok("UA c a p f").mods.asymmetric, true);
    EXPECT_EQ(ok("Uas c a p f").mods.asymmetric, false);
    EXPECT_EQ(ok("Usa c a p f").mods.asymmetric, true);
}

TEST(RtppCommand, ModifiersInterfaceOrder) {
    Modifiers m = ok("Uie c a p f").mods;
    // First letter -> slot 1 (facing the SDP's sender), second -> slot 0.
    EXPECT_EQ(m.iface[1], 0);
    EXPECT_EQ(m.iface[0], 1);
    EXPECT_EQ(m.iface_count, 2);
    Modifiers e = ok("UE c a p f").mods;
    EXPECT_EQ(e.iface[1], 1);
    EXPECT_EQ(e.iface[0], 0);
    EXPECT_EQ(err("Uiei c a p f"), 1);
    EXPECT_EQ(err("Deee c f"), 1);
}

TEST(RtppCommand, ModifiersIpv6WeakAndUnknown) {
    Modifiers m = ok("LA6w c a p f t").mods;
    EXPECT_TRUE(m.ipv6);
    EXPECT_TRUE(m.weak);
    EXPECT_EQ(m.asymmetric, true);
    EXPECT_EQ(ok("Dw c f").mods.weak, true);
    Modifiers u = ok("Uqx c a p f").mods;
    EXPECT_EQ(u.first_unknown, 'q');
    // [later] z<ms> and c<codecs>: their digits are not the '6' modifier.
    Modifiers z = ok("Uz60c0,8,96 c a p f").mods;
    EXPECT_FALSE(z.ipv6);
    EXPECT_EQ(z.first_unknown, 0);
}

TEST(RtppCommand, UdpCookieComesFirst) {
    ParseResult r = parse_command("23017_5 U cid 10.0.0.1 4000 ft", true);
    ASSERT_TRUE(r.command);
    EXPECT_EQ(r.cookie, "23017_5");
    EXPECT_EQ(r.command->cookie, "23017_5");
    EXPECT_EQ(r.command->verb, Verb::update);
    EXPECT_EQ(r.command->call_id, "cid");
}

TEST(RtppCommand, UdpNeedsCookieAndCommand) {
    ParseResult one = parse_command("lonely", true);
    EXPECT_FALSE(one.command);
    EXPECT_EQ(one.error, Error::syntax);
    EXPECT_EQ(one.cookie, "lonely");
    ParseResult none = parse_command("", true);
    EXPECT_FALSE(none.command);
    EXPECT_EQ(none.cookie, "");
    ParseResult bad = parse_command("k1 Z", true);
    EXPECT_EQ(bad.error, Error::unknown_command);
    EXPECT_EQ(bad.cookie, "k1");
}

TEST(RtppCommand, OversizedIsRefusedWithItsCookie) {
    ParseResult r = parse_command("k9 V", true, true);
    EXPECT_FALSE(r.command);
    EXPECT_EQ(r.error, Error::syntax);
    EXPECT_EQ(r.cookie, "k9");
}

TEST(RtppCommand, QueryAndDeleteAll) {
    Command q = ok("Qv cid f t ttl nrelayed");
    EXPECT_EQ(q.verb, Verb::query);
    EXPECT_TRUE(q.mods.verbose);
    ASSERT_EQ(q.stat_count, 2);
    EXPECT_EQ(q.stat_names[0], "ttl");
    EXPECT_EQ(q.stat_names[1], "nrelayed");
    EXPECT_EQ(err("Q cid"), 1);
    EXPECT_EQ(ok("X").verb, Verb::remove_all);
    EXPECT_EQ(err("X y"), 1);
    EXPECT_EQ(ok("I").verb, Verb::info);
}

TEST(RtppCommand, GarbageNeverCrashesAndAlwaysDecides) {
    std::mt19937 rng(20040107);
    const std::string alphabet = "UuLlDdVvIiPpSsRrQqXxF6aAeEiIwWz;:0123456789 \t\r\n\x01\xff";
    for (int round = 0; round < 20000; ++round) {
        std::string text;
        size_t len = rng() % 64;
        for (size_t i = 0; i < len; ++i) text.push_back(alphabet[rng() % alphabet.size()]);
        for (bool udp : {false, true}) {
            ParseResult r = parse_command(text, udp);
            if (!r.command) {
                std::string e = reply_error(r.cookie, r.error);
                EXPECT_EQ(e.back(), '\n');
            }
        }
    }
}

TEST(RtppReply, Formats) {
    EXPECT_EQ(reply_error("", Error::not_found), "E8\n");
    EXPECT_EQ(reply_error("c1", Error::update_ports), "c1 E10\n");
    EXPECT_EQ(reply_ok(""), "0\n");
    EXPECT_EQ(reply_ok("23017_5"), "23017_5\n");
    EXPECT_EQ(reply_port("", 35000, "", false), "35000\n");
    EXPECT_EQ(reply_port("", 35000, "192.0.2.50", false), "35000 192.0.2.50\n");
    EXPECT_EQ(reply_port("k", 35002, "2001:db8::1", true), "k 35002 2001:db8::1 6\n");
    EXPECT_EQ(reply_text("", "20040107"), "20040107\n");
    EXPECT_EQ(reply_text("k", "1"), "k 1\n");
}
