// Parse (+ compile) of real configs. Target (issue #3): parse + compile of
// cfg/nat-rtpproxy.cfg under 2 ms.
#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>

#include "parser/parse.hpp"
#include "runtime/core/config_loader.hpp"
#include "runtime/core/server.hpp"

namespace {

std::string read(const std::string& path) {
    std::ifstream f(path);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

void BM_ParseReferenceConfig(benchmark::State& st) {
    std::string text = read(std::string(SER_SOURCE_DIR) + "/cfg/nat-rtpproxy.cfg");
    for (auto _ : st) {
        ser::parser::Diagnostics d;
        auto cfg = ser::parser::parse_text("nat-rtpproxy.cfg", text, d);
        if (!cfg) st.SkipWithError("parse failed");
        benchmark::DoNotOptimize(cfg);
    }
}
BENCHMARK(BM_ParseReferenceConfig)->Unit(benchmark::kMicrosecond);

// Parse + load + compile: modules are loaded once outside the timing (dlopen
// is not part of compiling); each iteration compiles the route blocks anew.
void BM_ParseCompile(benchmark::State& st, const char* file) {
    std::string text = read(std::string(SER_SOURCE_DIR) + "/cfg/" + file);
    for (auto _ : st) {
        st.PauseTiming();
        auto server = std::make_unique<ser::rt::Server>();
        server->modules().add_dir_front(SER_MODULE_BUILD_DIR);
        st.ResumeTiming();
        ser::parser::Diagnostics d;
        auto cfg = ser::parser::parse_text(file, text, d);
        if (!cfg) {
            st.SkipWithError("parse failed");
            break;
        }
        ser::rt::ConfigLoader loader(*server, d, {});
        benchmark::DoNotOptimize(loader.load(*cfg));
        st.PauseTiming();
        server.reset();
        st.ResumeTiming();
    }
}
BENCHMARK_CAPTURE(BM_ParseCompile, quickstart, "quickstart.cfg")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_ParseCompile, nat_rtpproxy, "nat-rtpproxy.cfg")->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
