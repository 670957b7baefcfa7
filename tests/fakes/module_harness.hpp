// Drives one module linked into the test binary through its descriptor, as
// the loader and the script engine would: create, modparams, fix-ups, init,
// calls. Each module test binary links exactly one module (they all define
// `ser_module_exports`).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ser/module.hpp"
#include "tests/fakes/fake_core.hpp"

extern "C" const ::ser::ModuleExports ser_module_exports;

namespace ser::test {

class ModuleHarness {
public:
    FakeCore core;
    const ModuleExports& exports = ser_module_exports;
    std::unique_ptr<Module> module{ser_module_exports.create()};

    // A fixed-up call of one exported function.
    struct Call {
        const CmdExport* cmd = nullptr;
        std::vector<CallArg> args;
    };

    const CmdExport* find(std::string_view name, int arity) const {
        for (size_t i = 0; i < exports.cmd_count; ++i)
            if (name == exports.cmds[i].name && exports.cmds[i].arity == arity) return &exports.cmds[i];
        return nullptr;
    }

    const FifoExport* find_fifo(std::string_view name) const {
        for (size_t i = 0; i < exports.fifo_count; ++i)
            if (name == exports.fifo[i].name) return &exports.fifo[i];
        return nullptr;
    }

    bool set_param(std::string_view name, long number, std::string& error) {
        return set_param(name, ParamValue{ParamType::Int, number, {}}, error);
    }
    bool set_param(std::string_view name, const ParamValue& v, std::string& error) {
        for (size_t i = 0; i < exports.param_count; ++i)
            if (name == exports.params[i].name) {
                if (exports.params[i].type != v.type) {
                    error = "wrong type";
                    return false;
                }
                return exports.params[i].set(*module, v, error);
            }
        error = "no such param";
        return false;
    }

    bool init() { return module->init(core); }

    // Resolves `name` with args.size() arguments and runs its fix-up on every
    // argument. False (error filled) when unknown or a fix-up fails.
    bool prepare(std::string_view name, std::vector<std::string> args, Call& out, std::string& error) {
        out.cmd = find(name, int(args.size()));
        if (!out.cmd) {
            error = "unknown command";
            return false;
        }
        out.args.clear();
        for (auto& a : args) {
            CallArg c;
            c.text = std::move(a);
            out.args.push_back(std::move(c));
        }
        if (out.cmd->fixup)
            for (size_t i = 0; i < out.args.size(); ++i)
                if (!out.cmd->fixup(*module, out.args[i], int(i), error)) return false;
        return true;
    }

    int call(const Call& c, sip::Msg& msg) { return c.cmd->func(*module, msg, c.args.data()); }

    // prepare + call; a failed preparation returns -1000 so tests notice.
    int run(std::string_view name, std::vector<std::string> args, sip::Msg& msg) {
        Call c;
        std::string error;
        if (!prepare(name, std::move(args), c, error)) {
            last_error = error;
            return -1000;
        }
        return call(c, msg);
    }

    std::string last_error;
};

}  // namespace ser::test
