#include <gtest/gtest.h>

#include <string>

#include "ser/sip/framing.hpp"
#include "ser/sip/msg.hpp"

namespace ser::sip {
namespace {

const std::string kMsg =
    "MESSAGE sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z\r\nFrom: <sip:x@y>;tag=1\r\n"
    "To: <sip:a@b>\r\nCall-ID: c\r\nCSeq: 1 MESSAGE\r\nl:  5\r\n\r\nhello";

TEST(Framing, SplitsByContentLength) {
    std::string s = "\r\n\r\n" + kMsg + kMsg.substr(0, 20);
    size_t skip = 0, len = 0;
    ASSERT_EQ(frame_stream_message(s, skip, len), Framing::Complete);
    EXPECT_EQ(skip, 4u);
    EXPECT_EQ(len, kMsg.size());
    Msg m;
    ASSERT_TRUE(m.parse(s.data() + skip, len)) << m.error();
    EXPECT_EQ(m.body(), "hello");
    std::string rest = s.substr(skip + len);
    EXPECT_EQ(frame_stream_message(rest, skip, len), Framing::NeedMore);
}

TEST(Framing, NeedMoreUntilBodyArrives) {
    size_t skip, len;
    for (size_t n = 0; n < kMsg.size(); ++n)
        EXPECT_EQ(frame_stream_message(std::string_view(kMsg).substr(0, n), skip, len),
                  Framing::NeedMore)
            << n;
    EXPECT_EQ(frame_stream_message(kMsg, skip, len), Framing::Complete);
}

TEST(Framing, Invalid) {
    size_t skip, len;
    std::string bad = kMsg;
    bad.replace(bad.find("l:  5"), 5, "l: -5");
    EXPECT_EQ(frame_stream_message(bad, skip, len), Framing::Invalid);
    std::string two = kMsg;
    two.insert(two.find("\r\n\r\n") + 2, "Content-Length: 7\r\n");
    EXPECT_EQ(frame_stream_message(two, skip, len), Framing::Invalid);
    std::string huge(kMaxMessageSize + 10, 'a');
    EXPECT_EQ(frame_stream_message(huge, skip, len), Framing::Invalid);
    std::string big_cl = kMsg;
    big_cl.replace(big_cl.find("l:  5"), 5, "l: 99999999");
    EXPECT_EQ(frame_stream_message(big_cl, skip, len), Framing::Invalid);
}

// The TCP reader once had its own copy of this framing that read the
// leading digits of "12abc" as 12 and took the first of two different
// lengths; either would cut the stream at a place the sender never meant.
TEST(Framing, TrailingGarbageInContentLengthIsInvalid) {
    size_t skip, len;
    std::string bad = kMsg;
    bad.replace(bad.find("l:  5"), 5, "Content-Length: 12abc");
    EXPECT_EQ(frame_stream_message(bad, skip, len), Framing::Invalid);
    bad = kMsg;
    bad.replace(bad.find("l:  5"), 5, "l: 5 5");
    EXPECT_EQ(frame_stream_message(bad, skip, len), Framing::Invalid);
    bad = kMsg;
    bad.replace(bad.find("l:  5"), 5, "l:");
    EXPECT_EQ(frame_stream_message(bad, skip, len), Framing::Invalid);
}

TEST(Framing, ConflictingContentLengthsAreInvalidWhicheverComesFirst) {
    size_t skip, len;
    std::string first = kMsg;   // the compact "l: 5" comes last
    first.insert(first.find("Call-ID"), "Content-Length: 7\r\n");
    EXPECT_EQ(frame_stream_message(first, skip, len), Framing::Invalid);
    std::string last = kMsg;    // a second, longer one after "l: 5"
    last.insert(last.find("\r\n\r\n") + 2, "content-length:12\r\n");
    EXPECT_EQ(frame_stream_message(last, skip, len), Framing::Invalid);
    std::string same = kMsg;    // repeated with the same value: one length, accepted
    same.insert(same.find("\r\n\r\n") + 2, "Content-Length: 5\r\n");
    ASSERT_EQ(frame_stream_message(same, skip, len), Framing::Complete);
    EXPECT_EQ(len, same.size());
}

TEST(Framing, KeepAliveCrlfsOnlyNeedMore) {
    size_t skip, len;
    EXPECT_EQ(frame_stream_message("\r\n\r\n\r\n", skip, len), Framing::NeedMore);
    EXPECT_EQ(skip, 6u);
}

TEST(Framing, MissingContentLengthMeansNoBody) {
    std::string s = "OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP h\r\n\r\nNEXT";
    size_t skip, len;
    ASSERT_EQ(frame_stream_message(s, skip, len), Framing::Complete);
    EXPECT_EQ(s.substr(len), "NEXT");
}

}  // namespace
}  // namespace ser::sip
