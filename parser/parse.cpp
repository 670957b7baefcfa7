// Runs the grammar and turns whatever it reports into diagnostics.

#include "parser/parse.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>

#include "parser/config.hpp"
#include "parser/error_handler.hpp"
#include "parser/toplevel.hpp"

namespace ser::parser {

namespace {

bool before(ast::Pos a, ast::Pos b) {
    return a.line < b.line || (a.line == b.line && a.col < b.col);
}

std::string unknown_char_message(char const* p, char const* end) {
    unsigned char c = static_cast<unsigned char>(*p);
    if (c == '#' && std::memchr(p, '\n', static_cast<size_t>(end - p)) == nullptr)
        return "'#' is not a comment here: a comment on the last line needs a terminating newline";
    char buf[64];
    if (c >= 0x20 && c < 0x7f)
        std::snprintf(buf, sizeof buf, "ignoring unknown character '%c'", c);
    else
        std::snprintf(buf, sizeof buf, "ignoring unknown character 0x%02x", c);
    return buf;
}

struct Error {
    ast::Pos pos;
    std::string message;
};

// Common mistakes that the grammar alone reports vaguely.
void add_hint(Error& e, char const* begin, char const* at, char const* end) {
    if (e.message.rfind("expected", 0) != 0 || at >= end)
        return;
    if (end - at >= 2 && at[0] == '/' && at[1] == '/') {
        e.message += " ('//' is not a comment; use '#' or '/* */')";
    } else if (at[0] == '-' && end - at >= 2 && at[1] >= '0' && at[1] <= '9') {
        e.message += " (there are no negative numbers)";
    } else if (at[0] == '"' || at[0] == '\'') {
        char const* p = at;
        while (p > begin && (p[-1] == ' ' || p[-1] == '\t' || p[-1] == '\r' || p[-1] == '\n'))
            --p;
        if (p > begin && (p[-1] == '"' || p[-1] == '\''))
            e.message += " (adjacent strings are not concatenated)";
    }
}

}  // namespace

std::optional<ast::Config> parse_text(const std::string& name, std::string text, Diagnostics& diag) {
    uint32_t file = diag.add_file(SourceFile{name, std::move(text)});
    std::string const& src = diag.files()[file].text;
    char const* begin = src.data();
    char const* end = begin + src.size();

    ParseState state(begin, end, file);
    Skipper skipper;
    skipper.state = &state;
    std::vector<ast::Item> items;
    std::optional<Error> error;

    try {
        char const* first = begin;
        bool ok = x3::phrase_parse(first, end, x3::with<state_tag>(state)[config], skipper, items);
        if (!ok || first != end)  // the top-level rule reports leftovers itself
            error = Error{state.pos(skip_separators(first, end, nullptr)), "syntax error"};
    } catch (SyntaxError const& e) {
        error = Error{e.pos, e.message};
    } catch (x3::expectation_failure<iterator_type> const& e) {
        // where() is before the separators; point at the offending token.
        error = Error{state.pos(skip_separators(e.where(), end, nullptr)), "expected " + e.which()};
    }
    // The skipper cannot stop the parse; its error wins when it comes first.
    if (state.has_lexical_error() && (!error || !before(error->pos, state.lexical_error_pos())))
        error = Error{state.lexical_error_pos(), state.lexical_error_message()};
    if (!error && items.empty())
        error = Error{ast::Pos{file, 0, 0},
                      "no global assignment, loadmodule, modparam or route block found "
                      "(empty config)"};

    if (error && error->pos.line != 0)
        add_hint(*error, begin, begin + state.offset(error->pos), end);

    // Warnings in file order, up to the error.
    std::vector<std::pair<ast::Pos, std::string>> warnings = state.warnings();
    for (uint32_t off : state.unknown_offsets())
        warnings.emplace_back(state.pos(begin + off), unknown_char_message(begin + off, end));
    std::stable_sort(warnings.begin(), warnings.end(),
                     [](auto const& a, auto const& b) { return before(a.first, b.first); });
    for (auto& w : warnings) {
        if (error && error->pos.line != 0 && !before(w.first, error->pos))
            break;
        diag.warning(w.first, std::move(w.second));
    }
    if (error) {
        diag.error(error->pos, std::move(error->message));
        return std::nullopt;
    }

    ast::Config cfg;
    for (auto const& f : diag.files())
        cfg.files.push_back(f.name);
    cfg.items = std::move(items);
    return cfg;
}

std::optional<ast::Config> parse_file(const std::string& path, Diagnostics& diag) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        int err = errno;
        uint32_t file = diag.add_file(SourceFile{path, {}});
        diag.error(ast::Pos{file, 0, 0}, std::string("cannot open config file: ") + std::strerror(err));
        return std::nullopt;
    }
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return parse_text(path, std::move(text), diag);
}

}  // namespace ser::parser
