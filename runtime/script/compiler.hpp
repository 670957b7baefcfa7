// AST route blocks -> Program. Resolution (function names, arity, route
// kinds, route numbers) happens while the file is processed, in file order,
// so a function is only known after its loadmodule (cfg-language §5.3).
// Fix-ups (regexes, destinations, sockets, module argument fix-ups) run
// later, once the sockets are known.
#pragma once

#include <functional>
#include <vector>

#include "parser/ast.hpp"
#include "parser/diagnostics.hpp"
#include "runtime/loader/module_loader.hpp"
#include "runtime/script/program.hpp"

namespace ser::script {

// What the fix-up phase needs from the server.
struct FixupEnv {
    std::function<bool(std::string_view host, std::vector<IpAddr>& out)> resolve;
    std::function<const SocketInfo*(int proto, const IpAddr& ip, std::string_view name, uint16_t port)> find_socket;
};

class Compiler {
public:
    Compiler(Program& prog, rt::ModuleLoader& modules, parser::Diagnostics& diag);

    // Adds one route block (blocks of the same kind/number concatenate).
    void add_block(const ast::RouteBlock& block);
    // After the whole file: checks route(n) targets.
    void finish();
    // When a loadmodule failed, unknown functions are counted, not reported:
    // the missing module was already named and would only cause noise.
    void set_modules_missing(bool on) { modules_missing_ = on; }
    int unchecked_calls() const { return unchecked_calls_; }
    // Start-up fix-ups over the whole program. Returns false on errors.
    bool fixup(const FixupEnv& env);

private:
    Block compile_actions(const std::vector<ast::Action>& actions, unsigned kind_mask, const char* kind_name);
    Action compile_action(const ast::Action& a, unsigned kind_mask, const char* kind_name);
    Action compile_core(const ast::CoreCall& c);
    Action compile_module_call(const ast::ModuleCall& c, unsigned kind_mask, const char* kind_name);
    std::unique_ptr<Expr> compile_expr(const ast::Expr& e, unsigned kind_mask, const char* kind_name);
    void compile_compare(const ast::Compare& c, Expr& out);

    bool fixup_block(Block& b, const FixupEnv& env);
    bool fixup_action(Action& a, const FixupEnv& env);
    bool fixup_expr(Expr& e, const FixupEnv& env);

    ast::Pos pos(const Loc& l) const { return ast::Pos{l.file, l.line, l.col}; }

    Program& prog_;
    rt::ModuleLoader& modules_;
    parser::Diagnostics& diag_;
    struct RouteRef { long number; Loc loc; };
    std::vector<RouteRef> route_refs_;
    bool modules_missing_ = false;
    int unchecked_calls_ = 0;
};

Loc to_loc(const ast::Pos& p);

}  // namespace ser::script
