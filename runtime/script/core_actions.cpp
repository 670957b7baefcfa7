// Core actions (cfg-language §10) other than `if` and module calls.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/script/engine.hpp"
#include "runtime/script/exec.hpp"
#include "runtime/script/ser_error.hpp"
#include "ser/core.hpp"
#include "ser/log.hpp"
#include "ser/wait.hpp"
#include "ser/sip/dset.hpp"
#include "ser/sip/msg.hpp"
#include "ser/sip/uri_edit.hpp"

namespace ser::script {

namespace {

// The signals the server blocks in every thread (run_server.cpp) or ignores
// (SIGPIPE); SIGCHLD too, so a command that waits for its own children works.
constexpr int kResetSignals[] = {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGUSR1, SIGUSR2, SIGCHLD};

// In the forked child, before execl: the worker thread's blocked mask and
// ignored dispositions survive exec, so a command would otherwise start
// deaf to SIGTERM and see EPIPE instead of dying on a closed pipe (`cmd |
// head` would keep running). dash happens to clear the mask itself, bash
// does not, and no POSIX shell may un-ignore a signal ignored on entry.
// Only async-signal-safe calls here: the parent has other threads, which
// may have held locks at the fork.
void reset_signals_for_exec() {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int sig : kResetSignals) {
        struct sigaction old {};
        if (sigaction(sig, nullptr, &old) == 0 && !(old.sa_flags & SA_SIGINFO) && old.sa_handler == SIG_IGN) {
            struct sigaction dfl {};
            dfl.sa_handler = SIG_DFL;
            sigemptyset(&dfl.sa_mask);
            sigaction(sig, &dfl, nullptr);
        }
    }
}

}  // namespace

int run_exec(const std::string& cmd, const char* shell) {
    const char* const text = cmd.c_str();   // taken before the fork: the child allocates nothing
    pid_t pid = fork();
    if (pid < 0) {
        SER_ERR("exec: fork failed: {}", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        reset_signals_for_exec();
        execl(shell, "sh", "-c", text, static_cast<char*>(nullptr));
        _exit(127);
    }
    int status = 0;
    {
        const ScopedWait wait;   // the command runs outside the process
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        SER_DBG("exec: '{}' exited with status {}", cmd, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    return 1;
}

namespace {

// log() text is a printf format in SER; only "%%" is meaningful without
// arguments, so it is the only conversion applied.
std::string unpercent(const std::string& s) {
    if (s.find('%') == std::string::npos) return s;
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        out += s[i];
        if (s[i] == '%' && i + 1 < s.size() && s[i + 1] == '%') ++i;
    }
    return out;
}

sip::UriEdit edit_of(Op op) {
    switch (op) {
    case Op::SetHost: return sip::UriEdit::Host;
    case Op::SetHostPort: return sip::UriEdit::HostPort;
    case Op::SetUser: return sip::UriEdit::User;
    case Op::SetUserPass: return sip::UriEdit::UserPass;
    case Op::SetPort: return sip::UriEdit::Port;
    case Op::Prefix: return sip::UriEdit::Prefix;
    case Op::Strip: return sip::UriEdit::Strip;
    default: return sip::UriEdit::StripTail;
    }
}

}  // namespace

int Engine::exec_core(const Action& a, Ctx& c) const {
    sip::Msg& m = c.msg;
    switch (a.op) {
    case Op::Null:
        return 1;
    case Op::Drop:
        return 0;
    case Op::Forward: {
        int r = host_.forward_request(m, *a.dest);
        if (r < 0) t_ser_error = r;
        return r;
    }
    case Op::Send: {
        int r = host_.send_original(m, *a.dest);
        if (r < 0) t_ser_error = r;
        return r;
    }
    case Op::Log:
        log_raw(int(a.num), unpercent(a.str));
        return 1;
    case Op::SetFlag:
    case Op::ResetFlag:
    case Op::IsFlagSet: {
        if (a.num < 1 || a.num > 31) {
            SER_ERR("{}: flag {} out of range (1..31)", prog_.where(a.loc), a.num);
            return E_CFG;
        }
        uint32_t bit = 1u << a.num;
        if (a.op == Op::SetFlag) m.flags |= bit;
        else if (a.op == Op::ResetFlag) m.flags &= ~bit;
        else return (m.flags & bit) ? 1 : -1;
        return 1;
    }
    case Op::Error:
        SER_NOTICE("error(\"{}\", \"{}\") is not implemented", a.str, a.str2);
        return 1;
    case Op::Route: {
        if (a.num < 0 || a.num >= kMaxRoutes || !prog_.routes.request_defined[size_t(a.num)]) {
            SER_WARN("{}: route({}) has no route block", prog_.where(a.loc), a.num);
            return a.num < 0 || a.num >= kMaxRoutes ? -1 : 1;
        }
        if (++c.depth > kMaxRecursion) {
            --c.depth;
            SER_ERR("{}: too many recursive routing table lookups", prog_.where(a.loc));
            return -1;
        }
        int r = exec_block(prog_.routes.request[size_t(a.num)], c);
        --c.depth;
        return r < 0 ? r : 1;  // drop/break/0 inside a sub-route end only that route
    }
    case Op::Exec:
        return run_exec(a.str);
    case Op::SetUri:
        m.new_uri = a.str;
        m.uri_changed();
        return 1;
    case Op::SetHost:
    case Op::SetHostPort:
    case Op::SetUser:
    case Op::SetUserPass:
    case Op::SetPort:
    case Op::Prefix:
    case Op::Strip:
    case Op::StripTail: {
        if (!m.is_request()) return -1;
        std::string out;
        int r = sip::rewrite_uri(m.current_uri(), edit_of(a.op), a.str, a.num, out);
        if (r < 0) {
            t_ser_error = E_BAD_URI;
            return r;
        }
        m.new_uri = std::move(out);
        m.uri_changed();
        return 1;
    }
    case Op::AppendBranch: {
        const std::string uri = a.has_num ? a.str : std::string(m.current_uri());
        if (sip::append_branch(m, uri, {}, a.q) < 0) {
            SER_ERR("{}: too many branches", prog_.where(a.loc));
            t_ser_error = E_TOO_MANY_BRANCHES;
            return -1;
        }
        return 1;
    }
    case Op::RevertUri:
        m.new_uri.clear();
        m.uri_changed();
        return 1;
    case Op::ForceRport:
        m.force_rport = true;
        return 1;
    case Op::ForceTcpAlias: {
        if (m.rcv.proto != PROTO_TCP && m.rcv.proto != PROTO_TLS) return 1;
        uint16_t port = a.has_num ? uint16_t(a.num) : 0;
        if (!a.has_num) {
            const sip::ViaBody* v = m.via1();
            if (!v) return -1;
            port = v->port ? v->port : 5060;
        }
        return host_.add_tcp_alias(m, port);
    }
    case Op::SetAdvAddress:
        m.adv_address = a.str;
        return 1;
    case Op::SetAdvPort:
        m.adv_port = uint16_t(a.num);
        return 1;
    case Op::ForceSendSocket:
        m.force_socket = a.socket;
        return 1;
    case Op::ModuleCall:
    case Op::If:
        break;
    }
    return -1;
}

}  // namespace ser::script
