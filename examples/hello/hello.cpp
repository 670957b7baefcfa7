// A third-party ser module, built out of tree against the installed headers:
//   g++ -std=c++20 -shared -fPIC hello.cpp -o hello.so $(pkg-config --cflags --libs ser)
// loadmodule "/path/to/hello.so", then in a route: hello("world");
// It appends `X-Hello: <arg>` to the request being routed and counts calls.
#include <atomic>
#include <string>

#include <ser/core.hpp>
#include <ser/log.hpp>
#include <ser/module.hpp>
#include <ser/sip/msg.hpp>

namespace {

class Hello : public ser::Module {
public:
    std::string greeting = "Hello";   // modparam("hello", "greeting", "...")
    std::atomic<long> calls{0};
};

int hello(ser::Module& self, ser::sip::Msg& msg, const ser::CallArg* args) {
    auto& h = ser::self_as<Hello>(self);
    ++h.calls;
    msg.lumps.insert(msg.headers_end(), "X-" + h.greeting + ": " + args[0].text + "\r\n");
    SER_DBG("hello: greeted {}", args[0].text);
    return 1;
}

bool set_greeting(ser::Module& self, const ser::ParamValue& v, std::string& err) {
    if (v.text.empty()) {
        err = "greeting must not be empty";
        return false;
    }
    ser::self_as<Hello>(self).greeting = std::string(v.text);
    return true;
}

const ser::CmdExport cmds[] = {
    {"hello", 1, hello, nullptr, ser::kRequestRoute | ser::kFailureRoute},
};
const ser::ParamExport params[] = {
    {"greeting", ser::ParamType::Str, set_greeting},
};

}  // namespace

SER_MODULE((ser::ModuleExports{ser::kAbiVersion, sizeof(ser::ModuleExports), "hello", "1.0",
                               []() -> ser::Module* { return new Hello; }, cmds, SER_COUNT(cmds), params,
                               SER_COUNT(params), nullptr, 0, nullptr, 0, 0}))
