// Module loader: ABI check, missing files, fall-back directories, refusals.
#include <gtest/gtest.h>

#include <filesystem>

#include "runtime/loader/module_loader.hpp"

#ifndef SER_FIXTURE_DIR
#define SER_FIXTURE_DIR "."
#endif

using ser::rt::ModuleLoader;
namespace fs = std::filesystem;

TEST(Loader, LoadsByPathAsWritten) {
    ModuleLoader l(std::vector<std::string>{});
    std::string err;
    auto* m = l.load(std::string(SER_FIXTURE_DIR) + "/M.so", err);
    ASSERT_NE(m, nullptr) << err;
    EXPECT_EQ(m->name(), "M");
    EXPECT_NE(l.find_cmd("f1", 1).cmd, nullptr);
    EXPECT_EQ(l.find_cmd("f1", 2).cmd, nullptr);
}

TEST(Loader, FallsBackToModuleDirsByFileName) {
    ModuleLoader l({"/nonexistent-dir", SER_FIXTURE_DIR});
    std::string err;
    auto* m = l.load("/usr/local/lib/ser/modules/M.so", err);
    ASSERT_NE(m, nullptr) << err;
    EXPECT_EQ(m->path, std::string(SER_FIXTURE_DIR) + "/M.so");
}

TEST(Loader, MissingFileNamesEveryPlaceTried) {
    ModuleLoader l({"/nonexistent-a", "/nonexistent-b"});
    std::string err;
    EXPECT_EQ(l.load("/opt/x/nosuch.so", err), nullptr);
    EXPECT_NE(err.find("failed to load module \"/opt/x/nosuch.so\": file not found; tried: /opt/x/nosuch.so, "
                       "/nonexistent-a/nosuch.so, /nonexistent-a/nosuch/nosuch.so, /nonexistent-b/nosuch.so"),
              std::string::npos)
        << err;
}

TEST(Loader, RefusesAbiMismatch) {
    ModuleLoader l(std::vector<std::string>{});
    std::string err;
    EXPECT_EQ(l.load(std::string(SER_FIXTURE_DIR) + "/M_badabi.so", err), nullptr);
    EXPECT_NE(err.find("was built for module ABI 999 but this ser has ABI"), std::string::npos) << err;
}

TEST(Loader, RefusesSharedObjectWithoutDescriptor) {
    ModuleLoader l(std::vector<std::string>{});
    std::string err;
    EXPECT_EQ(l.load(std::string(SER_FIXTURE_DIR) + "/not_a_module.so", err), nullptr);
    EXPECT_NE(err.find("not a ser module (no symbol 'ser_module_exports')"), std::string::npos) << err;
}

TEST(Loader, RefusesGarbageFile) {
    fs::path p = fs::temp_directory_path() / "ser-loader-garbage.so";
    {
        std::FILE* f = std::fopen(p.c_str(), "w");
        std::fputs("not an ELF file", f);
        std::fclose(f);
    }
    ModuleLoader l(std::vector<std::string>{});
    std::string err;
    EXPECT_EQ(l.load(p.string(), err), nullptr);
    EXPECT_NE(err.find("failed to load module"), std::string::npos) << err;
    fs::remove(p);
}

TEST(Loader, RefusesSameModuleTwice) {
    ModuleLoader l(std::vector<std::string>{});
    std::string err;
    ASSERT_NE(l.load(std::string(SER_FIXTURE_DIR) + "/M.so", err), nullptr) << err;
    EXPECT_EQ(l.load(std::string(SER_FIXTURE_DIR) + "/M.so", err), nullptr);
    EXPECT_NE(err.find("already loaded"), std::string::npos) << err;
}

TEST(Loader, LastLoadedModuleWinsFunctionLookup) {
    ModuleLoader l(std::vector<std::string>{});
    std::string err;
    ASSERT_NE(l.load(std::string(SER_FIXTURE_DIR) + "/M.so", err), nullptr) << err;
    ASSERT_NE(l.load(std::string(SER_FIXTURE_DIR) + "/M2.so", err), nullptr) << err;
    auto f = l.find_cmd("f0", 0);
    ASSERT_NE(f.module, nullptr);
    EXPECT_EQ(f.module->name(), "M2");
}
