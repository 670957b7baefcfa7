// Helpers for parser tests: parse a text, check it is accepted, or check the
// first error's exact place and message.
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <sstream>
#include <string>

#include "parser/ast.hpp"
#include "parser/diagnostics.hpp"
#include "parser/dump.hpp"
#include "parser/parse.hpp"

#ifndef SER_SOURCE_DIR
#define SER_SOURCE_DIR "/work/main"
#endif

namespace ser::parser::test {

struct Parsed {
    Diagnostics diag;
    std::optional<ast::Config> cfg;

    std::string messages() const {
        std::ostringstream out;
        diag.print(out);
        return out.str();
    }
    Diagnostic const* first_error() const {
        for (auto const& d : diag.all())
            if (d.severity == Severity::Error)
                return &d;
        return nullptr;
    }
    size_t warning_count() const {
        size_t n = 0;
        for (auto const& d : diag.all())
            n += d.severity == Severity::Warning;
        return n;
    }
};

inline Parsed parse(std::string const& text) {
    Parsed p;
    p.cfg = parse_text("test.cfg", text, p.diag);
    return p;
}

// A snippet placed inside route{ } of a minimal config, like the "…" cases
// of cfg-language §14. The snippet starts at line 3, column 1.
inline std::string in_route(std::string const& body) {
    return "listen=127.0.0.1 port=5060\nroute{\n" + body + "\n}\n";
}

inline ::testing::AssertionResult accepts(std::string const& text) {
    Parsed p = parse(text);
    if (p.cfg && p.diag.error_count() == 0)
        return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "rejected:\n" << text << "\n" << p.messages();
}

inline ::testing::AssertionResult rejects(std::string const& text, uint32_t line, uint32_t col,
                                          std::string const& message) {
    Parsed p = parse(text);
    Diagnostic const* e = p.first_error();
    if (p.cfg || !e)
        return ::testing::AssertionFailure() << "accepted:\n" << text;
    if (e->pos.line != line || e->pos.col != col || e->message != message)
        return ::testing::AssertionFailure()
               << "expected " << line << ":" << col << ": " << message << "\n got:\n"
               << p.messages();
    return ::testing::AssertionSuccess();
}

// The first route block's statements of an accepted config.
inline std::vector<ast::Action> const& route_actions(ast::Config const& cfg) {
    for (auto const& item : cfg.items)
        if (auto r = std::get_if<ast::RouteBlock>(&item))
            return r->actions;
    static std::vector<ast::Action> const none;
    return none;
}

inline ast::Assign const* find_assign(ast::Config const& cfg, std::string const& name, int nth = 0) {
    for (auto const& item : cfg.items)
        if (auto a = std::get_if<ast::Assign>(&item); a && a->name == name && nth-- == 0)
            return a;
    return nullptr;
}

// Dump of the first route block's statements (at indent 0).
inline std::string route_dump(std::string const& body) {
    Parsed p = parse(in_route(body));
    if (!p.cfg)
        return "REJECTED: " + p.messages();
    std::string out;
    for (auto const& a : route_actions(*p.cfg))
        out += dump(a);
    return out;
}

}  // namespace ser::parser::test
