// The module contract: one versioned, constant descriptor per shared object.
// The loader reads `abi_version` before anything else and refuses a module
// built against another version of these headers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "ser/abi.hpp"

namespace ser {

namespace sip { class Msg; }
class Core;
class Module;
class FifoRequest;

// Route kinds a function may be used in (cfg-language §5.3).
enum RouteMask : unsigned {
    kRequestRoute = 1u << 0,   // route, route[n]
    kFailureRoute = 1u << 1,   // failure_route[n]
    kOnReplyRoute = 1u << 2,   // onreply_route[n]
    kAnyRoute = kRequestRoute | kFailureRoute | kOnReplyRoute,
};

// One argument of a module function call, fixed up once at start-up.
// `text` is the quoted string of the config (escapes processed); a fix-up
// may fill `number` or build a typed object in `value`.
struct CallArg {
    std::string text;
    long number = 0;
    std::shared_ptr<void> value;

    template <class T> T& as() const { return *static_cast<T*>(value.get()); }
    template <class T, class... A> T& make(A&&... a) {
        auto p = std::make_shared<T>(std::forward<A>(a)...);
        T& ref = *p;
        value = std::move(p);
        return ref;
    }
};

// Return convention (cfg-language §9): > 0 true, 0 stop the block, < 0 false.
using CmdFunc = int (*)(Module& self, sip::Msg& msg, const CallArg* args);
// Converts argument `index` (0-based); on failure fills `error` and returns false.
using FixupFunc = bool (*)(Module& self, CallArg& arg, int index, std::string& error);

struct CmdExport {
    const char* name;
    int arity;              // 0..2; same name with another arity is another function
    CmdFunc func;
    FixupFunc fixup;        // may be null
    unsigned route_mask;    // RouteMask bits
};

enum class ParamType : uint8_t { Int, Str };

struct ParamValue {
    ParamType type;
    long number;
    std::string_view text;
};

// Stores a modparam value into the module instance; false + error to refuse.
using ParamSetter = bool (*)(Module& self, const ParamValue& value, std::string& error);

struct ParamExport {
    const char* name;
    ParamType type;         // modparam's token must have this type (§5.2)
    ParamSetter set;
};

// A management command (FIFO / unix socket), case-insensitive name.
using FifoFunc = int (*)(Module& self, FifoRequest& req);
struct FifoExport {
    const char* name;
    FifoFunc func;
};

// A periodic task run by the core's timer thread.
struct TimerExport {
    const char* name;
    unsigned (*interval_ms)(const Module& self);   // 0 = do not run
    void (*tick)(Module& self, uint64_t now_ms);
};

// Which per-message hooks of Module the core must call (saves a virtual call
// per message for modules that do not use them).
enum ModuleHooks : unsigned {
    kHookPreScript = 1u << 0,
    kHookOnReply = 1u << 1,
    kHookPostScript = 1u << 2,
};

struct ModuleExports {
    uint32_t abi_version;   // must be first: kAbiVersion of the headers used
    uint32_t struct_size;   // sizeof(ModuleExports) at build time
    const char* name;       // registered name, matched by modparam's regex
    const char* version;
    Module* (*create)();    // a fresh instance; params are its members
    const CmdExport* cmds;
    size_t cmd_count;
    const ParamExport* params;
    size_t param_count;
    const FifoExport* fifo;
    size_t fifo_count;
    const TimerExport* timers;
    size_t timer_count;
    unsigned hooks;         // ModuleHooks
};

// Base of every module instance. The loader creates it, applies modparams,
// then calls init() in load order and child_init() in every worker.
class Module {
public:
    virtual ~Module() = default;

    virtual bool init(Core& core) { core_ = &core; return true; }
    virtual bool child_init(int rank) { return true; }
    virtual void destroy() {}

    // Requests, before the script (kHookPreScript). 0 = drop silently.
    virtual int pre_script(sip::Msg& msg) { return 1; }
    // Replies, before stateless forwarding (kHookOnReply). true = consumed.
    virtual bool on_reply(sip::Msg& msg) { return false; }
    // After the script (kHookPostScript).
    virtual void post_script(sip::Msg& msg) {}

    Core& core() const { return *core_; }

protected:
    Core* core_ = nullptr;
};

template <class T> inline T& self_as(Module& m) { return static_cast<T&>(m); }

}  // namespace ser

#define SER_EXPORT_SYMBOL extern "C" __attribute__((visibility("default")))

// Exports `exports` (a ser::ModuleExports) under the name the loader looks up.
#define SER_MODULE(exports) SER_EXPORT_SYMBOL const ::ser::ModuleExports ser_module_exports = exports;

#define SER_COUNT(arr) (sizeof(arr) / sizeof((arr)[0]))
