// Loads module shared objects (Boost.DLL), checks their ABI, keeps them in
// load order and answers the compiler's and modparam's look-ups.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/dll/shared_library.hpp>

#include "ser/module.hpp"

namespace ser::rt {

struct LoadedModule {
    std::string path;                 // the file actually opened
    boost::dll::shared_library lib;
    const ModuleExports* exports = nullptr;
    std::unique_ptr<Module> instance;

    std::string_view name() const { return exports->name; }
};

class ModuleLoader {
public:
    // `dirs`: directories tried, in order, when the path as written does not
    // exist (command-line overrides, the build tree, the install dir).
    explicit ModuleLoader(std::vector<std::string> dirs = default_dirs());
    ~ModuleLoader();

    static std::vector<std::string> default_dirs();
    void add_dir_front(std::string dir) { dirs_.insert(dirs_.begin(), std::move(dir)); }
    const std::vector<std::string>& dirs() const { return dirs_; }

    // Loads `path` as written in loadmodule. On failure returns null and
    // explains in `error` (naming every place tried).
    LoadedModule* load(const std::string& path, std::string& error);

    // modparam: sets `param` on every module whose name matches the anchored,
    // case-insensitive ERE `module_re`. Returns false with `error` set.
    bool set_param(const std::string& module_re, const std::string& param,
                   const ParamValue& value, std::string& error);

    // Function look-up, last-loaded module first (cfg-language §5.1).
    struct Found {
        const CmdExport* cmd = nullptr;
        LoadedModule* module = nullptr;
    };
    Found find_cmd(std::string_view name, int arity) const;
    // Any arity, for "wrong number of arguments" diagnostics.
    std::vector<Found> find_cmd_any_arity(std::string_view name) const;

    const std::vector<std::unique_ptr<LoadedModule>>& modules() const { return modules_; }
    std::string loaded_names() const;  // "sl_module, tm, ..." for diagnostics

    bool init_all(Core& core, std::string& error);
    bool child_init_all(int rank, std::string& error);
    void destroy_all();

private:
    std::vector<std::string> dirs_;
    std::vector<std::unique_ptr<LoadedModule>> modules_;
    bool destroyed_ = false;
};

}  // namespace ser::rt
