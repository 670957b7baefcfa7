#include "ser/text.hpp"
#include "runtime/loader/module_loader.hpp"

#include <regex.h>
#include <unistd.h>

#include <filesystem>

#include <fmt/format.h>

#include "ser/log.hpp"

#ifndef SER_BUILD_MODULE_DIR
#define SER_BUILD_MODULE_DIR ""
#endif
#ifndef SER_BUILD_ROOT
#define SER_BUILD_ROOT ""
#endif
#ifndef SER_INSTALL_MODULE_DIR
#define SER_INSTALL_MODULE_DIR "/usr/local/lib/ser/modules"
#endif

namespace fs = std::filesystem;

namespace ser::rt {

namespace {


// The build tree is used only when this very binary lives in it, so an
// installed ser never picks up modules from a stale build directory.
bool running_from_build_tree() {
    std::string root = SER_BUILD_ROOT;
    if (root.empty()) return false;
    std::error_code ec;
    fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (ec) return false;
    auto r = fs::weakly_canonical(root, ec).string();
    return exe.string().rfind(r + "/", 0) == 0;
}

}  // namespace

ModuleLoader::ModuleLoader(std::vector<std::string> dirs) : dirs_(std::move(dirs)) {}

ModuleLoader::~ModuleLoader() { destroy_all(); }

std::vector<std::string> ModuleLoader::default_dirs() {
    std::vector<std::string> d;
    if (const char* env = std::getenv("SER_MODULE_DIR"); env && *env) d.emplace_back(env);
    if (running_from_build_tree()) d.emplace_back(SER_BUILD_MODULE_DIR);
    d.emplace_back(SER_INSTALL_MODULE_DIR);
    return d;
}

LoadedModule* ModuleLoader::load(const std::string& path, std::string& error) {
    std::vector<std::string> tried;
    std::string chosen;
    std::error_code ec;
    if (fs::exists(path, ec)) {
        chosen = path;
    } else {
        tried.push_back(path);
        std::string file = fs::path(path).filename().string();
        std::string stem = fs::path(path).stem().string();
        for (const auto& dir : dirs_) {
            // Build tree keeps each module in its own folder: modules/<name>/<name>.so
            for (const fs::path& cand : {fs::path(dir) / file, fs::path(dir) / stem / file}) {
                if (fs::exists(cand, ec)) { chosen = cand.string(); break; }
                tried.push_back(cand.string());
            }
            if (!chosen.empty()) break;
        }
    }
    if (chosen.empty()) {
        error = fmt::format("failed to load module \"{}\": file not found; tried: {}", path,
                            fmt::join(tried, ", "));
        return nullptr;
    }
    auto canon = fs::weakly_canonical(chosen, ec).string();
    for (auto& m : modules_) {
        if (fs::weakly_canonical(m->path, ec).string() == canon) {
            error = fmt::format("module \"{}\" is already loaded (from {})", path, m->path);
            return nullptr;
        }
    }

    auto lm = std::make_unique<LoadedModule>();
    lm->path = chosen;
    try {
        lm->lib.load(chosen, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
    } catch (const std::exception& e) {
        error = fmt::format("failed to load module \"{}\": {}", chosen, e.what());
        return nullptr;
    }
    if (!lm->lib.has(kAbiSymbol)) {
        error = fmt::format("failed to load module \"{}\": not a ser module (no symbol '{}')",
                            chosen, kAbiSymbol);
        return nullptr;
    }
    // The ABI word is read on its own before anything else of the descriptor.
    const uint32_t abi = *reinterpret_cast<const uint32_t*>(&lm->lib.get<const ModuleExports>(kAbiSymbol));
    if (abi != kAbiVersion) {
        error = fmt::format("module \"{}\" was built for module ABI {} but this ser has ABI {}; "
                            "rebuild it against the installed ser headers",
                            chosen, abi, kAbiVersion);
        return nullptr;
    }
    lm->exports = &lm->lib.get<const ModuleExports>(kAbiSymbol);
    if (lm->exports->struct_size != sizeof(ModuleExports) || !lm->exports->name || !lm->exports->create) {
        error = fmt::format("module \"{}\" has a malformed descriptor", chosen);
        return nullptr;
    }
    for (auto& m : modules_) {
        if (iequals(m->name(), lm->exports->name)) {
            error = fmt::format("module \"{}\" registers the name '{}' already used by {}", chosen,
                                lm->exports->name, m->path);
            return nullptr;
        }
    }
    lm->instance.reset(lm->exports->create());
    if (!lm->instance) {
        error = fmt::format("module \"{}\" could not create its instance", chosen);
        return nullptr;
    }
    modules_.push_back(std::move(lm));
    return modules_.back().get();
}

bool ModuleLoader::set_param(const std::string& module_re, const std::string& param,
                             const ParamValue& value, std::string& error) {
    regex_t re;
    std::string anchored = "^(" + module_re + ")$";
    if (regcomp(&re, anchored.c_str(), REG_EXTENDED | REG_ICASE | REG_NOSUB) != 0) {
        error = fmt::format("bad module name regex \"{}\"", module_re);
        return false;
    }
    int matched = 0;
    bool ok = true;
    for (auto& m : modules_) {
        std::string name(m->name());
        if (regexec(&re, name.c_str(), 0, nullptr, 0) != 0) continue;
        ++matched;
        const ParamExport* pe = nullptr;
        for (size_t i = 0; i < m->exports->param_count; ++i)
            if (param == m->exports->params[i].name) pe = &m->exports->params[i];
        if (!pe) {
            std::vector<std::string> names;
            for (size_t i = 0; i < m->exports->param_count; ++i) names.emplace_back(m->exports->params[i].name);
            error = fmt::format("can't set module parameter: module '{}' has no parameter '{}'{}", name, param,
                                names.empty() ? std::string(" (it has no parameters)")
                                              : fmt::format(" (it has: {})", fmt::join(names, ", ")));
            ok = false;
            break;
        }
        if (pe->type != value.type) {
            error = fmt::format("can't set module parameter: '{}' of module '{}' takes {}, not {}", param, name,
                                pe->type == ParamType::Int ? "a number" : "a quoted string",
                                value.type == ParamType::Int ? "a number" : "a string");
            ok = false;
            break;
        }
        std::string why;
        if (!pe->set(*m->instance, value, why)) {
            error = fmt::format("can't set module parameter '{}' of module '{}': {}", param, name, why);
            ok = false;
            break;
        }
    }
    regfree(&re);
    if (ok && matched == 0) {
        error = fmt::format("can't set module parameter: no module matching \"{}\" is loaded (loaded: {})",
                            module_re, loaded_names().empty() ? "none" : loaded_names());
        return false;
    }
    return ok;
}

ModuleLoader::Found ModuleLoader::find_cmd(std::string_view name, int arity) const {
    for (auto it = modules_.rbegin(); it != modules_.rend(); ++it) {
        const ModuleExports* e = (*it)->exports;
        for (size_t i = 0; i < e->cmd_count; ++i)
            if (e->cmds[i].arity == arity && name == e->cmds[i].name) return {&e->cmds[i], it->get()};
    }
    return {};
}

std::vector<ModuleLoader::Found> ModuleLoader::find_cmd_any_arity(std::string_view name) const {
    std::vector<Found> out;
    for (auto it = modules_.rbegin(); it != modules_.rend(); ++it) {
        const ModuleExports* e = (*it)->exports;
        for (size_t i = 0; i < e->cmd_count; ++i)
            if (name == e->cmds[i].name) out.push_back({&e->cmds[i], it->get()});
    }
    return out;
}

std::string ModuleLoader::loaded_names() const {
    std::string s;
    for (auto& m : modules_) {
        if (!s.empty()) s += ", ";
        s += m->name();
    }
    return s;
}

bool ModuleLoader::init_all(Core& core, std::string& error) {
    for (auto& m : modules_) {
        if (!m->instance->init(core)) {
            error = fmt::format("initialisation of module '{}' failed", m->name());
            return false;
        }
    }
    return true;
}

bool ModuleLoader::child_init_all(int rank, std::string& error) {
    for (auto& m : modules_) {
        if (!m->instance->child_init(rank)) {
            error = fmt::format("per-worker initialisation of module '{}' failed", m->name());
            return false;
        }
    }
    return true;
}

void ModuleLoader::destroy_all() {
    if (destroyed_) return;
    destroyed_ = true;
    // Reverse load order: a module may still use the APIs of those loaded before it.
    for (auto it = modules_.rbegin(); it != modules_.rend(); ++it) {
        if ((*it)->instance) (*it)->instance->destroy();
    }
    for (auto it = modules_.rbegin(); it != modules_.rend(); ++it) (*it)->instance.reset();
}

}  // namespace ser::rt
