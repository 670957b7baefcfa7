// Whole-file tests: the reference config's AST dump, and *.cfg files in this
// directory paired with *.expect (the AST dump, or the diagnostics).

#include <filesystem>
#include <fstream>
#include <sstream>

#include "parser/qvalue.hpp"
#include "test_util.hpp"

namespace ser::parser::test {
namespace {

namespace fs = std::filesystem;

std::string read(fs::path const& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// AST dump when the file is accepted, else the diagnostics.
std::string result_of(fs::path const& cfg) {
    Diagnostics diag;
    auto parsed = parse_text(cfg.filename().string(), read(cfg), diag);
    std::ostringstream out;
    diag.print(out);
    if (parsed)
        out << dump(*parsed);
    return out.str();
}

TEST(Dump, NatRtpproxyConfig) {
    fs::path src = fs::path(SER_SOURCE_DIR);
    Diagnostics diag;
    auto cfg = parse_file((src / "cfg/nat-rtpproxy.cfg").string(), diag);
    std::ostringstream msgs;
    diag.print(msgs);
    ASSERT_TRUE(cfg) << msgs.str();
    EXPECT_EQ(diag.all().size(), 0u) << msgs.str();
    EXPECT_EQ(dump(*cfg), read(src / "tests/parser/nat-rtpproxy.expect"));
}

TEST(Dump, CaseFiles) {
    fs::path dir = fs::path(SER_SOURCE_DIR) / "tests/parser";
    int cases = 0;
    for (auto const& entry : fs::directory_iterator(dir)) {
        if (entry.path().extension() != ".cfg")
            continue;
        fs::path expect = entry.path();
        expect.replace_extension(".expect");
        ASSERT_TRUE(fs::exists(expect)) << expect;
        EXPECT_EQ(result_of(entry.path()), read(expect)) << entry.path();
        ++cases;
    }
    EXPECT_GE(cases, 3);
}

TEST(Dump, ParseFileErrors) {
    Diagnostics diag;
    EXPECT_FALSE(parse_file("/nonexistent/ser.cfg", diag));
    std::ostringstream out;
    diag.print(out);
    EXPECT_EQ(out.str(), "/nonexistent/ser.cfg: error: cannot open config file: No such file or directory\n");
}

TEST(Dump, PositionsIndexConfigFiles) {
    Diagnostics diag;
    parse_text("first.cfg", "debug=1", diag);
    auto cfg = parse_text("second.cfg", "debug=2", diag);
    ASSERT_TRUE(cfg);
    auto const& a = std::get<ast::Assign>(cfg->items[0]);
    ASSERT_LT(a.pos.file, cfg->files.size());
    EXPECT_EQ(cfg->files[a.pos.file], "second.cfg");
}

TEST(Dump, QValues) {
    EXPECT_EQ(parse_q("0.5"), 500);
    EXPECT_EQ(parse_q("1"), 1000);
    EXPECT_EQ(parse_q(".25"), 250);
    EXPECT_EQ(parse_q("0"), 0);
    EXPECT_EQ(parse_q(" 1.000"), 1000);
    EXPECT_EQ(parse_q("0.125"), 125);
    EXPECT_FALSE(parse_q("2"));
    EXPECT_FALSE(parse_q(""));
    EXPECT_FALSE(parse_q("1."));
    EXPECT_FALSE(parse_q("1.5"));
    EXPECT_FALSE(parse_q("0.1234"));
    EXPECT_FALSE(parse_q("0.5x"));
}

}  // namespace
}  // namespace ser::parser::test
