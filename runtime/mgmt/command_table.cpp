#include "runtime/mgmt/command_table.hpp"

#include <strings.h>

#include "runtime/loader/module_loader.hpp"

namespace ser::rt::mgmt {

namespace {
bool same_name(std::string_view a, std::string_view b) {
    return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}
}  // namespace

bool CommandTable::add(std::string_view name, Handler handler, std::string& error) {
    if (find(name)) {
        error = "management command '" + std::string(name) + "' is registered twice";
        return false;
    }
    entries_.push_back({std::string(name), std::move(handler)});
    return true;
}

const Handler* CommandTable::find(std::string_view name) const {
    for (const Entry& e : entries_)
        if (same_name(e.name, name)) return &e.handler;
    return nullptr;
}

std::vector<std::string> CommandTable::names_newest_first() const {
    std::vector<std::string> out;
    for (auto it = entries_.rbegin(); it != entries_.rend(); ++it) out.push_back(it->name);
    return out;
}

bool add_module_commands(CommandTable& table, ModuleLoader& modules, std::string& error) {
    for (const auto& lm : modules.modules()) {
        const ModuleExports* x = lm->exports;
        Module* self = lm->instance.get();
        for (size_t i = 0; i < x->fifo_count; ++i) {
            FifoFunc f = x->fifo[i].func;
            if (!table.add(x->fifo[i].name, [self, f](FifoRequest& r) { return f(*self, r); }, error)) {
                error += " (module " + std::string(lm->name()) + ")";
                return false;
            }
        }
    }
    return true;
}

}  // namespace ser::rt::mgmt
