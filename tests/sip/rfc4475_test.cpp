// RFC 4475 torture messages against the parser (testdata/rfc4475/EXPECTED.md).
// Each file gets a verdict; valid ones also get their interesting fields
// checked. "Valid for a proxy" verdicts are documented where they differ
// from EXPECTED.md's "invalid".
#include <gtest/gtest.h>

#include <dirent.h>

#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "ser/sip/digest.hpp"
#include "ser/sip/msg.hpp"
#include "ser/sip/params.hpp"

#ifndef SER_TESTDATA_DIR
#define SER_TESTDATA_DIR "tests/data/rfc4475"
#endif

namespace ser::sip {
namespace {

std::string load(const std::string& name) {
    std::ifstream f(std::string(SER_TESTDATA_DIR) + "/" + name, std::ios::binary);
    std::ostringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

// A message loaded from the corpus and parsed; the buffer outlives the Msg views.
struct Dat {
    std::string buf;
    Msg m;
    bool ok;
    explicit Dat(const std::string& name) : buf(load(name)) {
        ok = !buf.empty() && m.parse(buf.data(), buf.size());
    }
};

struct Verdict {
    bool valid;
    int status;             // error_status() for invalid ones
    const char* reason;     // substring of error() for invalid ones
};

// Verdict per file. Files not in EXPECTED.md's "invalid" list parse.
const std::map<std::string, Verdict>& verdicts() {
    static const std::map<std::string, Verdict> v = {
        {"wsinv.dat", {true, 0, ""}},
        {"intmeth.dat", {true, 0, ""}},
        {"esc01.dat", {true, 0, ""}},
        {"escnull.dat", {true, 0, ""}},
        {"esc02.dat", {true, 0, ""}},
        {"lwsdisp.dat", {true, 0, ""}},
        {"longreq.dat", {true, 0, ""}},
        {"dblreq.dat", {true, 0, ""}},
        {"semiuri.dat", {true, 0, ""}},
        {"transports.dat", {true, 0, ""}},
        {"mpart01.dat", {true, 0, ""}},
        {"unreason.dat", {true, 0, ""}},
        {"noreason.dat", {true, 0, ""}},
        {"badinv01.dat", {false, 400, "top Via"}},        // ";;,;,," in Via
        {"clerr.dat", {false, 400, "larger than message"}},
        {"ncl.dat", {false, 400, "Content-Length"}},        // -999
        {"scalar02.dat", {false, 400, "CSeq"}},             // 2^65 CSeq
        {"scalarlg.dat", {false, 0, "CSeq"}},               // response: dropped
        {"quotbal.dat", {false, 400, "To"}},
        {"ltgtruri.dat", {false, 400, "<>"}},
        {"lwsruri.dat", {false, 400, "whitespace"}},
        {"lwsstart.dat", {false, 400, "whitespace"}},
        {"trws.dat", {false, 400, "trailing"}},
        {"escruri.dat", {false, 400, "headers not allowed"}},
        // Valid for a proxy: SER never parses Date; the message is routable
        // and forwarded unchanged (EXPECTED.md: "a proxy that never parses
        // Date may pass it on").
        {"baddate.dat", {true, 0, ""}},
        // Valid for a proxy: only a registrar parses Contact, and there the
        // Contact list is rejected (checked below), so it is never stored.
        {"regbadct.dat", {true, 0, ""}},
        {"badaspec.dat", {false, 400, "To"}},               // "< sip:... >"
        // The file also lacks the empty line that ends the headers; the
        // display-name check is exercised separately below.
        {"baddn.dat", {false, 400, "end of headers"}},
        {"badvers.dat", {false, 505, "version"}},
        {"mismatch01.dat", {false, 400, "CSeq method"}},
        {"mismatch02.dat", {false, 400, "CSeq method"}},
        {"bigcode.dat", {false, 0, "status code"}},
        {"badbranch.dat", {true, 0, ""}},
        {"insuf.dat", {false, 400, "missing required"}},
        {"unkscm.dat", {true, 0, ""}},
        {"novelsc.dat", {true, 0, ""}},
        {"unksm2.dat", {true, 0, ""}},
        {"bext01.dat", {true, 0, ""}},
        {"invut.dat", {true, 0, ""}},
        {"regaut01.dat", {true, 0, ""}},
        {"multi01.dat", {false, 400, "duplicate"}},
        {"mcl01.dat", {false, 400, "duplicate"}},
        {"bcast.dat", {true, 0, ""}},
        {"zeromf.dat", {true, 0, ""}},
        {"cparam01.dat", {true, 0, ""}},
        {"cparam02.dat", {true, 0, ""}},
        {"regescrt.dat", {true, 0, ""}},
        {"sdp01.dat", {true, 0, ""}},
        {"inv2543.dat", {true, 0, ""}},
    };
    return v;
}

TEST(Rfc4475, EveryFileHasAVerdict) {
    DIR* d = opendir(SER_TESTDATA_DIR);
    ASSERT_NE(d, nullptr) << "test data not found in " << SER_TESTDATA_DIR;
    std::set<std::string> files;
    while (dirent* e = readdir(d)) {
        std::string n = e->d_name;
        if (n.size() > 4 && n.substr(n.size() - 4) == ".dat") files.insert(n);
    }
    closedir(d);
    EXPECT_EQ(files.size(), 49u);
    for (const auto& f : files) EXPECT_TRUE(verdicts().count(f)) << f;
}

TEST(Rfc4475, Verdicts) {
    for (const auto& [name, v] : verdicts()) {
        Dat d(name);
        ASSERT_FALSE(d.buf.empty()) << name;
        EXPECT_EQ(d.ok, v.valid) << name << ": " << d.m.error();
        if (!v.valid) {
            EXPECT_EQ(d.m.error_status(), v.status) << name << ": " << d.m.error();
            EXPECT_NE(std::string(d.m.error()).find(v.reason), std::string::npos)
                << name << ": got '" << d.m.error() << "'";
        }
    }
}

// Every prefix of every message (truncation anywhere) must be handled
// without reading past the buffer (run under ASan), and a few byte flips too.
TEST(Rfc4475, TruncatedAndMangledInputIsSafe) {
    for (const auto& [name, v] : verdicts()) {
        std::string full = load(name);
        for (size_t n = 0; n <= full.size(); n += (n < 600 ? 1 : 7)) {
            std::vector<char> b(full.begin(), full.begin() + long(n));
            Msg m;
            bool ok = m.parse(b.data(), b.size());
            if (ok) {
                m.via2();
                m.to();
                m.from();
                m.cseq();
                m.via_count();
                m.parsed_uri();
                std::vector<NameAddr> c;
                m.contacts(c);
            }
        }
        for (size_t i = 0; i < full.size(); i += 5) {
            std::string b = full;
            b[i] = (i % 3 == 0) ? '\0' : (i % 3 == 1) ? ',' : ';';
            Msg m;
            if (m.parse(b.data(), b.size())) {
                m.via2();
                m.via_count();
                std::vector<NameAddr> c;
                m.contacts(c);
            }
        }
    }
}

TEST(Rfc4475, WsinvFields) {
    Dat d("wsinv.dat");
    ASSERT_TRUE(d.ok) << d.m.error();
    Msg& m = d.m;
    EXPECT_EQ(m.method_id(), Method::Invite);
    EXPECT_EQ(m.ruri(), "sip:vivekg@chair-dnrc.example.com;unknownparam");
    ASSERT_TRUE(m.to());
    EXPECT_EQ(m.to()->uri, "sip:vivekg@chair-dnrc.example.com");
    EXPECT_EQ(*m.to()->tag, "1918181833n");
    ASSERT_TRUE(m.from());
    EXPECT_EQ(m.from()->display, "\"J Rosenberg \\\\\\\"\"");
    EXPECT_EQ(m.from()->uri, "sip:jdrosen@example.com");
    EXPECT_EQ(*m.from()->tag, "98asjd8");
    EXPECT_EQ(*m.max_forwards_raw(), 68);
    ASSERT_TRUE(m.cseq());
    EXPECT_EQ(m.cseq()->num, 9u);
    EXPECT_EQ(m.cseq()->method, "INVITE");
    EXPECT_EQ(m.call_id(), "wsinv.ndaksdj@192.0.2.1");
    EXPECT_EQ(*m.content_length(), 150u);
    EXPECT_EQ(m.body().size(), 150u);
    const ViaBody* v1 = m.via1();
    ASSERT_TRUE(v1);
    EXPECT_EQ(v1->proto_name, "SIP");
    EXPECT_EQ(v1->version, "2.0");
    EXPECT_EQ(v1->transport, "UDP");
    EXPECT_EQ(v1->host, "192.0.2.2");
    EXPECT_EQ(*v1->branch, "390skdjuw");
    const ViaBody* v2 = m.via2();
    ASSERT_TRUE(v2);
    EXPECT_EQ(v2->transport, "TCP");
    EXPECT_EQ(v2->host, "spindle.example.com");
    EXPECT_EQ(*v2->branch, "z9hG4bK9ikj8");
    EXPECT_FALSE(v2->last_in_line);
    EXPECT_EQ(m.via_count(), 3u);
    std::vector<ViaBody> all;
    ASSERT_TRUE(m.vias(all));
    EXPECT_EQ(all[2].host, "192.168.255.111");
    EXPECT_EQ(*all[2].branch, "z9hG4bK30239");
    std::vector<NameAddr> c;
    ASSERT_TRUE(m.contacts(c));
    ASSERT_EQ(c.size(), 1u);
    EXPECT_EQ(c[0].display, "\"Quoted string \\\"\\\"\"");
    EXPECT_EQ(*find_param(c[0].params, "q"), "0.33");
    EXPECT_EQ(*find_param(c[0].params, "newparam"), "newvalue");
    const HeaderField* s = m.header(HdrType::Subject);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->value, "");
    const HeaderField* nf = m.header("NewFangledHeader");
    ASSERT_TRUE(nf);
    EXPECT_EQ(nf->value, "newfangled value\r\n continued newfangled value");
    EXPECT_TRUE(m.header(HdrType::Route));
}

TEST(Rfc4475, IntmethFields) {
    Dat d("intmeth.dat");
    ASSERT_TRUE(d.ok) << d.m.error();
    EXPECT_EQ(d.m.method(), "!interesting-Method0123456789_*+`.%indeed'~");
    EXPECT_EQ(d.m.method_id(), Method::Other);
    const Uri* u = d.m.parsed_uri();
    ASSERT_TRUE(u);
    EXPECT_EQ(u->user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
    EXPECT_EQ(u->password, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
    EXPECT_EQ(u->host, "example.com");
    EXPECT_EQ(d.m.from()->display, "token1~` token2'+_ token3*%!.-");
    EXPECT_EQ(*d.m.from()->tag, "_token~1'+`*%!-.");
    EXPECT_EQ(*d.m.via1()->branch, "z9hG4bK-.!%66*_+`'~");
    EXPECT_EQ(d.m.cseq()->method, d.m.method());
}

TEST(Rfc4475, EscapesKeptAsReceived) {
    Dat e1("esc01.dat");
    ASSERT_TRUE(e1.ok);
    EXPECT_EQ(e1.m.parsed_uri()->user, "sips%3Auser%40example.com");
    EXPECT_EQ(e1.m.parsed_uri()->host, "example.net");
    EXPECT_EQ(e1.m.to()->uri, "sip:%75se%72@example.com");
    Dat n("escnull.dat");
    ASSERT_TRUE(n.ok);
    EXPECT_EQ(n.m.to()->uri, "sip:null-%00-null@example.com");
    std::vector<NameAddr> c;
    ASSERT_TRUE(n.m.contacts(c));
    ASSERT_EQ(c.size(), 2u);
    EXPECT_EQ(c[1].uri, "sip:%00%00@host5.example.com");
    Dat e2("esc02.dat");
    ASSERT_TRUE(e2.ok);
    EXPECT_EQ(e2.m.method(), "RE%47IST%45R");
    EXPECT_EQ(e2.m.method_id(), Method::Other);   // not REGISTER
    EXPECT_EQ(e2.m.header_count(HdrType::Contact), 2u);   // C%6Fntact is not Contact
    EXPECT_EQ(e2.m.to()->display, "\"%Z%45\"");
}

TEST(Rfc4475, LongreqAndTransports) {
    Dat d("longreq.dat");
    ASSERT_TRUE(d.ok) << d.m.error();
    EXPECT_EQ(d.m.via_count(), 34u);
    EXPECT_EQ(d.m.via1()->host, "sip33.example.com");
    EXPECT_EQ(d.m.via2()->host, "sip32.example.com");
    EXPECT_EQ(d.m.to()->uri.substr(0, 26), "sip:user@example.com:6000;");
    EXPECT_EQ(d.m.from()->tag->substr(0, 6), "129829");
    EXPECT_EQ(d.m.from()->tag->substr(d.m.from()->tag->size() - 4), "2424");
    std::vector<ViaBody> all;
    ASSERT_TRUE(d.m.vias(all));
    EXPECT_EQ(*all.back().received, "192.0.2.5");
    EXPECT_EQ(d.m.body().size(), 150u);

    Dat t("transports.dat");
    ASSERT_TRUE(t.ok);
    all.clear();
    ASSERT_TRUE(t.m.vias(all));
    ASSERT_EQ(all.size(), 5u);
    const char* tr[] = {"UDP", "SCTP", "TLS", "UNKNOWN", "TCP"};
    for (int i = 0; i < 5; ++i) EXPECT_EQ(all[size_t(i)].transport, tr[i]);
}

TEST(Rfc4475, DblreqIgnoresTrailingOctets) {
    Dat d("dblreq.dat");
    ASSERT_TRUE(d.ok);
    EXPECT_EQ(d.m.method_id(), Method::Register);
    EXPECT_TRUE(d.m.body().empty());
    EXPECT_LT(d.m.length(), d.m.received_length());
    EXPECT_EQ(d.m.buffer().substr(d.m.buffer().size() - 4), "\r\n\r\n");
    EXPECT_EQ(d.m.call_id(), "dblreq.0ha0isndaksdj99sdfafnl3lk233412");
}

TEST(Rfc4475, SemiuriAndDisplayNames) {
    Dat s("semiuri.dat");
    ASSERT_TRUE(s.ok);
    EXPECT_EQ(s.m.parsed_uri()->user, "user;par=u%40example.net");
    EXPECT_EQ(s.m.parsed_uri()->host, "example.com");
    EXPECT_NE(s.m.header(HdrType::Accept)->value.find("message/sipfrag"), std::string::npos);
    Dat l("lwsdisp.dat");
    ASSERT_TRUE(l.ok);
    EXPECT_EQ(l.m.from()->display, "caller");
    EXPECT_EQ(l.m.from()->uri, "sip:caller@example.com");
}

TEST(Rfc4475, Replies) {
    Dat u("unreason.dat");
    ASSERT_TRUE(u.ok);
    EXPECT_FALSE(u.m.is_request());
    EXPECT_EQ(u.m.status(), 200);
    EXPECT_EQ(u.m.reason().substr(0, 10), "= 2**3 * 5");
    Dat n("noreason.dat");
    ASSERT_TRUE(n.ok);
    EXPECT_EQ(n.m.status(), 100);
    EXPECT_EQ(n.m.status_text(), "100");
    EXPECT_EQ(n.m.reason(), "");
    Dat b("bcast.dat");
    ASSERT_TRUE(b.ok);
    EXPECT_EQ(b.m.via2()->host, "255.255.255.255");
    EXPECT_EQ(b.m.cseq()->method_id, Method::Invite);
}

TEST(Rfc4475, BodiesKeptIntact) {
    Dat m("mpart01.dat");
    ASSERT_TRUE(m.ok);
    EXPECT_EQ(m.m.body().size(), 553u);
    EXPECT_TRUE(m.m.via1()->rport.has_value());
    EXPECT_EQ(*m.m.via1()->rport, "");
    Dat i("invut.dat");
    ASSERT_TRUE(i.ok);
    EXPECT_EQ(i.m.body().size(), 40u);
    EXPECT_EQ(i.m.header(HdrType::ContentType)->value, "application/unknownformat");
    // RFC 2543 INVITE without Content-Length or branch: the body is the rest.
    Dat o("inv2543.dat");
    ASSERT_TRUE(o.ok);
    EXPECT_FALSE(o.m.content_length());
    EXPECT_EQ(o.m.body().substr(0, 4), "v=0\r");
    EXPECT_FALSE(o.m.via1()->branch);
    EXPECT_EQ(find_param(o.m.from()->uri.substr(o.m.from()->uri.find(';') + 1), "user"),
              std::optional<std::string_view>("phone"));
}

TEST(Rfc4475, SchemesAndMisc) {
    Dat u("unkscm.dat");
    ASSERT_TRUE(u.ok);
    EXPECT_EQ(u.m.parsed_uri()->scheme, Uri::Scheme::Other);
    EXPECT_EQ(u.m.parsed_uri()->opaque, "totallyopaquecontent");
    Dat n("novelsc.dat");
    ASSERT_TRUE(n.ok);
    EXPECT_EQ(n.m.parsed_uri()->scheme_text, "soap.beep");
    Dat s2("unksm2.dat");
    ASSERT_TRUE(s2.ok);
    EXPECT_EQ(s2.m.to()->uri, "isbn:2983792873");
    EXPECT_EQ(s2.m.from()->uri, "http://www.example.com");
    std::vector<NameAddr> c;
    ASSERT_TRUE(s2.m.contacts(c));
    EXPECT_EQ(c[0].uri, "name:John_Smith");
    Dat b("badbranch.dat");
    ASSERT_TRUE(b.ok);
    EXPECT_EQ(*b.m.via1()->branch, "z9hG4bK");
    Dat z("zeromf.dat");
    ASSERT_TRUE(z.ok);
    EXPECT_EQ(*z.m.max_forwards_raw(), 0);
    Dat x("bext01.dat");
    ASSERT_TRUE(x.ok);
    EXPECT_EQ(x.m.header(HdrType::ProxyRequire)->value,
              "noProxiesSupportThis, norDoAnyProxiesSupportThis");
    Dat r("regaut01.dat");
    ASSERT_TRUE(r.ok);
    Credentials cr;
    ASSERT_TRUE(parse_credentials(r.m.header(HdrType::Authorization)->value, cr));
    EXPECT_EQ(cr.scheme, "NoOneKnowsThisScheme");
    EXPECT_FALSE(cr.is_digest());
}

TEST(Rfc4475, ContactForms) {
    std::vector<NameAddr> c;
    Dat p1("cparam01.dat");
    ASSERT_TRUE(p1.ok);
    ASSERT_TRUE(p1.m.contacts(c));
    EXPECT_EQ(c[0].uri, "sip:+19725552222@gw1.example.net");
    EXPECT_EQ(c[0].params, "unknownparam");
    c.clear();
    Dat p2("cparam02.dat");
    ASSERT_TRUE(p2.ok);
    ASSERT_TRUE(p2.m.contacts(c));
    EXPECT_EQ(c[0].uri, "sip:+19725552222@gw1.example.net;unknownparam");
    EXPECT_EQ(c[0].params, "");
    c.clear();
    Dat e("regescrt.dat");
    ASSERT_TRUE(e.ok);
    ASSERT_TRUE(e.m.contacts(c));
    Uri u;
    ASSERT_TRUE(parse_uri(c[0].uri, u));
    EXPECT_EQ(u.headers, "Route=%3Csip:sip.example.com%3E");
    // regbadct: the message is routable, but the Contact list is rejected,
    // so a registrar never stores the mangled contact.
    c.clear();
    Dat b("regbadct.dat");
    ASSERT_TRUE(b.ok);
    EXPECT_FALSE(b.m.contacts(c));
}

TEST(Rfc4475, BaddnDisplayNameRejectedEvenWithHeaderEnd) {
    std::string buf = load("baddn.dat") + "\r\n";
    Msg m;
    EXPECT_FALSE(m.parse(buf.data(), buf.size()));
    EXPECT_EQ(m.error_status(), 400);
    EXPECT_NE(std::string(m.error()).find("To"), std::string::npos) << m.error();
}

TEST(Rfc4475, BaddateValidForAProxy) {
    // Date is never parsed by the proxy; the message is forwarded as is.
    Dat d("baddate.dat");
    ASSERT_TRUE(d.ok);
    EXPECT_EQ(d.m.header(HdrType::Date)->value, "Fri, 01 Jan 2010 16:00:00 EST");
}

TEST(Rfc4475, InvalidRequestsStillAnswerable) {
    // A 400/505 needs the Via, From, To, Call-ID and CSeq of the request.
    Dat v("badvers.dat");
    EXPECT_FALSE(v.ok);
    EXPECT_EQ(v.m.error_status(), 505);
    ASSERT_TRUE(v.m.via1());
    EXPECT_EQ(v.m.via1()->host, "c.example.com");
    Dat m("mismatch01.dat");
    EXPECT_FALSE(m.ok);
    ASSERT_TRUE(m.m.via1());
    EXPECT_TRUE(m.m.header(HdrType::CallId));
}

// clone() takes over the scan instead of parsing again: for every message
// that parses, the clone must read exactly as the original does, at the same
// offsets of its own buffer, and stay valid once the original is gone.
TEST(Rfc4475, CloneReadsAsTheOriginal) {
    for (const auto& [name, v] : verdicts()) {
        if (!v.valid) continue;
        auto d = std::make_unique<Dat>(name);
        ASSERT_TRUE(d->ok) << name;
        const Msg& m = d->m;
        // What the original reads, as text (its buffer goes away below).
        // Every view of the parsed Vias and addresses (the clone takes
        // them over from the original's parse, moved to its own buffer).
        auto opt = [](const std::optional<std::string_view>& v) { return v ? "=" + std::string(*v) : "-"; };
        auto via_text = [&](const ViaBody* b) {
            return b ? std::string(b->proto_name) + "/" + std::string(b->version) + "/" + std::string(b->transport) +
                           "|" + std::string(b->host) + "|" + std::string(b->port_text) + "|" +
                           std::string(b->params) + "|" + opt(b->branch) + opt(b->received) + opt(b->rport) +
                           opt(b->i) + opt(b->alias) + "|" + std::to_string(b->offset) + "+" +
                           std::to_string(b->length) + "|" + std::string(b->host_text())
                     : std::string("none");
        };
        auto na_text = [&](const NameAddr* a) {
            return a ? std::string(a->display) + "|" + std::string(a->uri) + "|" + std::string(a->params) + "|" +
                           opt(a->tag) + "|" + std::to_string(a->uri_offset)
                     : std::string("none");
        };
        auto uri_text = [&](const Uri* u) {
            return u ? std::string(u->scheme_text) + "|" + std::string(u->user) + "|" + std::string(u->password) +
                           "|" + std::string(u->host_text()) + "|" + std::string(u->port_text) + "|" +
                           std::string(u->params) + "|" + std::string(u->headers) + "|" + std::string(u->opaque) +
                           "|" + std::to_string(u->port)
                     : std::string("none");
        };
        // A request's Request-URI was parsed with the first line.
        const std::string uri = uri_text(m.is_request() ? m.cached_ruri() : nullptr);
        std::vector<std::string> hdrs;
        for (const auto& h : m.headers())
            hdrs.push_back(std::string(h.name) + ":" + std::string(h.value) + "@" + std::to_string(h.offset) + "+" +
                           std::to_string(h.length) + "#" + std::to_string(int(h.type)));
        const std::string first = std::string(m.first_line()), method = std::string(m.method()),
                          ruri = std::string(m.ruri()), reason = std::string(m.reason()),
                          body = std::string(m.body()), callid = std::string(m.call_id()),
                          via1 = via_text(m.via1()), via2 = via_text(m.via2()), to = na_text(m.to()),
                          from = na_text(m.from());
        const std::string cseq = m.cseq() ? std::string(m.cseq()->number) + " " + std::string(m.cseq()->method) : "";
        const uint32_t ruri_off = m.ruri_offset(), body_off = m.body_offset(), hdr_end = m.headers_end();
        const size_t len = m.length();
        const int status = m.status();
        const Method id = m.method_id();
        const bool request = m.is_request();

        auto c = m.clone();
        d->buf.assign(d->buf.size(), 'z');   // the original's bytes are gone
        d.reset();
        ASSERT_EQ(c->parse_result(), Msg::ParseResult::Ok) << name << ": " << c->error();
        EXPECT_EQ(c->first_line(), first) << name;
        EXPECT_EQ(c->method(), method) << name;
        EXPECT_EQ(c->method_id(), id) << name;
        EXPECT_EQ(c->is_request(), request) << name;
        EXPECT_EQ(c->ruri(), ruri) << name;
        EXPECT_EQ(c->ruri_offset(), ruri_off) << name;
        EXPECT_EQ(c->status(), status) << name;
        EXPECT_EQ(c->reason(), reason) << name;
        EXPECT_EQ(c->length(), len) << name;
        EXPECT_EQ(c->received_length(), len) << name;
        EXPECT_EQ(c->body_offset(), body_off) << name;
        EXPECT_EQ(c->headers_end(), hdr_end) << name;
        EXPECT_EQ(c->body(), body) << name;
        EXPECT_EQ(c->call_id(), callid) << name;
        EXPECT_EQ(via_text(c->via1()), via1) << name;
        EXPECT_EQ(via_text(c->via2()), via2) << name;
        EXPECT_EQ(na_text(c->to()), to) << name;
        EXPECT_EQ(na_text(c->from()), from) << name;
        EXPECT_EQ(c->cseq() ? std::string(c->cseq()->number) + " " + std::string(c->cseq()->method) : "", cseq)
            << name;
        ASSERT_EQ(c->headers().size(), hdrs.size()) << name;
        for (size_t i = 0; i < hdrs.size(); ++i) {
            const auto& h = c->headers()[i];
            EXPECT_EQ(std::string(h.name) + ":" + std::string(h.value) + "@" + std::to_string(h.offset) + "+" +
                          std::to_string(h.length) + "#" + std::to_string(int(h.type)),
                      hdrs[i])
                << name;
            // Every view lies in the clone's own buffer.
            EXPECT_GE(h.name.data(), c->data()) << name;
            EXPECT_LE(h.value.data() + h.value.size(), c->data() + c->length()) << name;
        }
        // The Request-URI's parse is taken over too (no parse again).
        EXPECT_EQ(uri_text(c->cached_ruri()), uri) << name;
        if (request) {
            EXPECT_TRUE(c->freeze()) << name;
            EXPECT_NE(c->parsed_uri(), nullptr) << name;
            EXPECT_EQ(uri_text(c->parsed_uri()), uri) << name;
        }
    }
}

}  // namespace
}  // namespace ser::sip
