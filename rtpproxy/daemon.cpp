#include "rtpproxy/daemon.hpp"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace ser::rtpp {

bool daemonize(std::string& error) {
    pid_t pid = fork();
    if (pid < 0) {
        error = std::string("can't fork: ") + std::strerror(errno);
        return false;
    }
    if (pid > 0) _exit(0);
    setsid();
    if (chdir("/") != 0) { /* / always exists */ }
    int null = open("/dev/null", O_RDWR);
    if (null >= 0) {
        dup2(null, 0);
        dup2(null, 1);
        dup2(null, 2);
        if (null > 2) close(null);
    }
    return true;
}

PidFile::~PidFile() {
    if (!path_.empty()) unlink(path_.c_str());
}

bool PidFile::write(const std::string& path, std::string& error) {
    int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        error = "can't open pidfile " + path + " for writing: " + std::strerror(errno);
        return false;
    }
    std::string text = std::to_string(getpid()) + "\n";
    bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    close(fd);
    if (!ok) {
        error = "can't write pidfile " + path;
        unlink(path.c_str());
        return false;
    }
    path_ = absolute_path(path);
    return true;
}

long raise_open_files(long wanted) {
    rlimit rl{};
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return -1;
    rlimit want = rl;
    if (wanted > 0) {
        want.rlim_cur = static_cast<rlim_t>(wanted);
        if (want.rlim_max != RLIM_INFINITY && want.rlim_max < want.rlim_cur) want.rlim_max = want.rlim_cur;
    } else {
        want.rlim_cur = rl.rlim_max;
    }
    if (setrlimit(RLIMIT_NOFILE, &want) != 0) {
        // Raising the hard limit needs privileges: settle for the old one.
        want.rlim_max = rl.rlim_max;
        if (want.rlim_cur > rl.rlim_max) want.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &want);
    }
    getrlimit(RLIMIT_NOFILE, &rl);
    return rl.rlim_cur == RLIM_INFINITY ? LONG_MAX : static_cast<long>(rl.rlim_cur);
}

bool drop_privileges(const std::string& spec, std::string& error) {
    std::string user = spec, group;
    if (auto colon = spec.find(':'); colon != std::string::npos) {
        user = spec.substr(0, colon);
        group = spec.substr(colon + 1);
    }
    passwd* pw = getpwnam(user.c_str());
    if (!pw) {
        error = "unknown user " + user;
        return false;
    }
    gid_t gid = pw->pw_gid;
    if (!group.empty()) {
        struct group* gr = getgrnam(group.c_str());
        if (!gr) {
            error = "unknown group " + group;
            return false;
        }
        gid = gr->gr_gid;
    }
    if (setgid(gid) != 0 || initgroups(pw->pw_name, gid) != 0 || setuid(pw->pw_uid) != 0) {
        error = "can't switch to user " + spec + ": " + std::strerror(errno);
        return false;
    }
    return true;
}

std::string absolute_path(const std::string& path) {
    if (path.empty() || path[0] == '/') return path;
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd)) return path;
    return std::string(cwd) + "/" + path;
}

}  // namespace ser::rtpp
