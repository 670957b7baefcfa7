#include <gtest/gtest.h>

#include "ser/sip/build.hpp"
#include "test_util.hpp"

namespace ser::sip {
namespace {

TEST(Lumps, BasicEdits) {
    std::string_view o = "0123456789";
    Lumps l;
    l.insert(2, "ab");
    l.remove(5, 2);
    l.replace(8, 1, "XY");
    EXPECT_EQ(l.apply(o), "01ab2347XY9");
    EXPECT_EQ(l.size(), 3u);
    l.clear();
    EXPECT_EQ(l.apply(o), o);
}

TEST(Lumps, InsertsAtSameOffsetKeepOrder) {
    Lumps l;
    l.insert(3, "A");
    l.insert(3, "B");
    l.insert(3, "C");
    EXPECT_EQ(l.apply("012345"), "012ABC345");
}

TEST(Lumps, RemoveAfterInsertAtSameOffsetKeepsInsert) {
    Lumps l;
    l.insert(2, "new");
    l.remove(2, 3);
    EXPECT_EQ(l.apply("0123456"), "01new56");
    Lumps r;
    r.insert(2, "new");
    r.replace(2, 3, "R");
    EXPECT_EQ(r.apply("0123456"), "01newR56");
    // an insert added after the replace comes after its text
    r.insert(2, "late");
    EXPECT_EQ(r.apply("0123456"), "01newRlate56");
}

TEST(Lumps, OverlappingRemovesMerge) {
    Lumps l;
    l.remove(2, 4);
    l.remove(4, 4);
    l.remove(3, 1);
    EXPECT_EQ(l.apply("0123456789"), "0189");
    Lumps same;
    same.remove(2, 3);
    same.remove(2, 3);
    EXPECT_EQ(same.apply("0123456789"), "0156789");
}

TEST(Lumps, TextInsideRemovedRangeIsDropped) {
    // remove_hf on a header that another module edited: the edit goes too.
    std::string_view o = "Contact: <sip:a@10.0.0.1>\r\nX: y\r\n";
    Lumps l;
    l.replace(10, 14, "sip:a@192.0.2.1:5060");   // fix_nated_contact
    l.remove(0, 27);                              // remove_hf("Contact")
    EXPECT_EQ(l.apply(o), "X: y\r\n");
    // same edits in the other order
    Lumps r;
    r.remove(0, 27);
    r.replace(10, 14, "sip:a@192.0.2.1:5060");
    EXPECT_EQ(r.apply(o), "X: y\r\n");
    // an insert inside a removed range is dropped; at its end it stays
    Lumps i;
    i.remove(0, 27);
    i.insert(5, "lost");
    i.insert(27, "Kept: 1\r\n");
    EXPECT_EQ(i.apply(o), "Kept: 1\r\nX: y\r\n");
    // a replace contained in a longer range at the same offset loses its text
    Lumps c;
    c.replace(0, 7, "Kontakt");
    c.remove(0, 27);
    EXPECT_EQ(c.apply(o), "X: y\r\n");
}

TEST(Lumps, SameRangeReplacedTwiceLastWins) {
    Lumps l;
    l.replace(0, 1, "a");
    l.replace(0, 1, "b");
    EXPECT_EQ(l.apply("0123"), "b123");
    Lumps r;
    r.replace(0, 1, "a");
    r.remove(0, 1);
    EXPECT_EQ(r.apply("0123"), "123");
}

TEST(Lumps, PartialOverlapNeverDuplicates) {
    Lumps l;
    l.replace(2, 4, "AAAA");
    l.replace(4, 4, "BBBB");
    EXPECT_EQ(l.apply("0123456789"), "01AAAA89");
    Lumps adj;
    adj.replace(2, 2, "A");
    adj.replace(4, 2, "B");
    EXPECT_EQ(adj.apply("0123456789"), "01AB6789");
}

TEST(Lumps, EditsBeyondTheEndAreClipped) {
    Lumps l;
    l.remove(8, 100);
    l.insert(50, "never");
    l.insert(10, "end");
    EXPECT_EQ(l.apply("0123456789"), "01234567end");
}

TEST(Lumps, TouchesAndLengths) {
    Lumps l;
    l.insert(10, "abc");
    EXPECT_TRUE(l.touches(10, 0));
    EXPECT_TRUE(l.touches(5, 5));   // insert at the inclusive end
    EXPECT_FALSE(l.touches(11, 5));
    l.remove(20, 5);
    EXPECT_TRUE(l.touches(22, 0));
    EXPECT_TRUE(l.touches(24, 3));
    EXPECT_FALSE(l.touches(25, 3));
    EXPECT_EQ(edited_length({&l}, 0, 30), 30u + 3 - 5);
    EXPECT_EQ(edited_length({&l}, 15, 30), 15u - 5);
    EXPECT_TRUE(lumps_touch({&l}, 0, 10));
    EXPECT_FALSE(lumps_touch({&l}, 11, 19));
}

TEST(Lumps, SeveralListsOrderedByList) {
    Lumps a, b;
    b.insert(1, "b");
    a.insert(1, "a");
    EXPECT_EQ(apply_lumps("0123", {&a, &b}), "0ab123");
    EXPECT_EQ(apply_lumps("0123", {&b, &a}), "0ba123");
}

// The composition the brief asks for: an insert at the first header, a
// replace inside Contact, an append at the end of the headers and a body
// edit at once; Content-Length follows the body.
TEST(Lumps, ComposedEditsOnAMessage) {
    test::Parsed p(
        "INVITE sip:bob@example.com SIP/2.0\n"
        "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1\n"
        "From: <sip:alice@example.com>;tag=a\n"
        "To: <sip:bob@example.com>\n"
        "Call-ID: c1\n"
        "CSeq: 1 INVITE\n"
        "Contact: <sip:alice@10.0.0.1:5060>\n"
        "Content-Length: 13\n"
        "\n"
        "c=IN IP4 10.0.0.1");
    ASSERT_TRUE(p.ok) << p.m.error();
    Msg& m = p.m;
    EXPECT_EQ(m.body(), "c=IN IP4 10.0");
    std::vector<NameAddr> c;
    ASSERT_TRUE(m.contacts(c));
    m.lumps.insert(m.headers()[0].offset, "Record-Route: <sip:proxy.example.com;lr>\r\n");
    const uint32_t host_off = m.offset_of(c[0].uri) + 10;   // "10.0.0.1"
    m.lumps.replace(host_off, 8, "192.0.2.1");
    m.lumps.insert(m.headers_end(), "X-Added: yes\r\n");
    const uint32_t body_ip = m.body_offset() + 9;
    m.lumps.replace(body_ip, 4, "192.0.2.1");   // "10.0" -> "192.0.2.1"
    ViaSpec via{"UDP", "127.0.0.1", "5099", "0", ""};
    ReceivedInfo ri{"10.0.0.1", 5060, false};
    std::string out = build_request(m, via, ri, false);
    EXPECT_EQ(out,
              test::crlf("INVITE sip:bob@example.com SIP/2.0\n"
                         "Record-Route: <sip:proxy.example.com;lr>\n"
                         "Via: SIP/2.0/UDP 127.0.0.1:5099;branch=0\n"
                         "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1\n"
                         "From: <sip:alice@example.com>;tag=a\n"
                         "To: <sip:bob@example.com>\n"
                         "Call-ID: c1\n"
                         "CSeq: 1 INVITE\n"
                         "Contact: <sip:alice@192.0.2.1:5060>\n"
                         "Content-Length: 18\n"
                         "X-Added: yes\n"
                         "\n") +
                  "c=IN IP4 192.0.2.1");
    // the message itself is unchanged; building twice gives the same bytes
    EXPECT_EQ(build_request(m, via, ri, false), out);
}

}  // namespace
}  // namespace ser::sip
