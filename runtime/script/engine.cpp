#include "runtime/script/engine.hpp"

#include "runtime/script/ser_error.hpp"
#include "ser/core.hpp"

#include "ser/log.hpp"
#include "ser/sip/msg.hpp"

namespace ser::script {

bool Engine::defined(RouteType type, int n) const {
    if (n < 0 || n >= kMaxRoutes) return false;
    switch (type) {
    case RouteType::Request: return prog_.routes.request_defined[size_t(n)];
    case RouteType::Failure: return prog_.routes.failure_defined[size_t(n)];
    case RouteType::OnReply: return prog_.routes.onreply_defined[size_t(n)];
    }
    return false;
}

int Engine::run(RouteType type, int n, sip::Msg& msg) const {
    if (n < 0 || n >= kMaxRoutes) return -1;
    const Block* b = nullptr;
    switch (type) {
    case RouteType::Request: b = &prog_.routes.request[size_t(n)]; break;
    case RouteType::Failure: b = &prog_.routes.failure[size_t(n)]; break;
    case RouteType::OnReply: b = &prog_.routes.onreply[size_t(n)]; break;
    }
    Ctx c{msg, 0};
    const RouteKind saved = msg.route_kind;
    msg.route_kind = type;
    int r = exec_block(*b, c);
    msg.route_kind = saved;
    return r;
}

int Engine::exec_block(const Block& b, Ctx& c) const {
    int ret = 1;
    for (const Action& a : b) {
        ret = exec(a, c);
        if (ret == 0) break;  // drop/break or a function that returned 0
    }
    return ret;
}

int Engine::exec(const Action& a, Ctx& c) const {
    // SER resets the error before each action and keeps the previous one for
    // functions like sl_reply_error() that report it.
    t_prev_ser_error = t_ser_error;
    t_ser_error = E_UNSPEC;
    int ret;
    if (a.op == Op::ModuleCall) {
        ret = a.func(*a.module, c.msg, a.args.data());
    } else if (a.op == Op::If) {
        if (++c.depth > kMaxRecursion) {
            --c.depth;
            SER_ERR("{}: too many recursive routing table lookups", prog_.where(a.loc));
            return -1;
        }
        int v = eval(*a.cond, c);
        if (tracer_) tracer_->on_condition(prog_, a, v, c.depth - 1);
        ret = 1;
        if (v == kExprStop) {
            ret = 0;
        } else {
            if (v == kExprError) SER_WARN("{}: error in expression", prog_.where(a.loc));
            if (v == kExprTrue) {
                if (!a.then_body.empty()) ret = exec_block(a.then_body, c);
            } else if (a.has_else && !a.else_body.empty()) {
                ret = exec_block(a.else_body, c);
            }
        }
        --c.depth;
        return ret;
    } else {
        ret = exec_core(a, c);
    }
    if (tracer_) tracer_->on_action(prog_, a, ret, c.depth);
    return ret;
}

int Engine::eval(const Expr& e, Ctx& c) const {
    switch (e.kind) {
    case Expr::Kind::And: {
        int l = eval(*e.left, c);
        return l != kExprTrue ? l : eval(*e.right, c);
    }
    case Expr::Kind::Or: {
        int l = eval(*e.left, c);
        return l != kExprFalse ? l : eval(*e.right, c);
    }
    case Expr::Kind::Not: {
        int v = eval(*e.left, c);
        if (v == kExprError || v == kExprStop) return v;  // `!` keeps errors [quirk]
        return v == kExprTrue ? kExprFalse : kExprTrue;
    }
    case Expr::Kind::Const:
        return e.value != 0 ? kExprTrue : kExprFalse;
    case Expr::Kind::Action: {
        int v = exec(*e.action, c);
        return v > 0 ? kExprTrue : v < 0 ? kExprFalse : kExprStop;
    }
    case Expr::Kind::Block: {
        int v = exec_block(e.block, c);
        return v > 0 ? kExprTrue : v < 0 ? kExprFalse : kExprStop;
    }
    case Expr::Kind::Cmp:
        return eval_compare(e.cmp, e, c);
    }
    return kExprError;
}

}  // namespace ser::script
