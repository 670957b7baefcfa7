// Every config shipped in cfg/ parses, and its AST dump is stable.
#include <gtest/gtest.h>

#include <filesystem>

#include "parser/dump.hpp"
#include "parser/parse.hpp"

namespace fs = std::filesystem;

TEST(CfgFiles, EveryShippedConfigParsesAndDumpsStably) {
    int n = 0;
    for (const auto& e : fs::directory_iterator(fs::path(SER_SOURCE_DIR) / "cfg")) {
        if (e.path().extension() != ".cfg") continue;
        ++n;
        ser::parser::Diagnostics d1, d2;
        auto a = ser::parser::parse_file(e.path().string(), d1);
        auto b = ser::parser::parse_file(e.path().string(), d2);
        ASSERT_TRUE(a && b) << e.path();
        EXPECT_EQ(d1.error_count(), 0u) << e.path();
        EXPECT_EQ(ser::parser::dump(*a), ser::parser::dump(*b)) << e.path();
    }
    EXPECT_GE(n, 2);
}
