#include "parser/diagnostics.hpp"

#include <ostream>

namespace ser::parser {

uint32_t Diagnostics::add_file(SourceFile f) {
    files_.push_back(std::move(f));
    return static_cast<uint32_t>(files_.size() - 1);
}

void Diagnostics::error(ast::Pos pos, std::string message) {
    list_.push_back({Severity::Error, pos, std::move(message)});
    ++errors_;
}

void Diagnostics::warning(ast::Pos pos, std::string message) {
    list_.push_back({Severity::Warning, pos, std::move(message)});
}

namespace {

// Line `line` (1-based) of `text`, without its line end.
std::string_view source_line(std::string const& text, uint32_t line) {
    size_t start = 0;
    for (uint32_t l = 1; l < line; ++l) {
        size_t nl = text.find('\n', start);
        if (nl == std::string::npos)
            return {};
        start = nl + 1;
    }
    size_t end = text.find('\n', start);
    if (end == std::string::npos)
        end = text.size();
    if (end > start && text[end - 1] == '\r')
        --end;
    return std::string_view(text).substr(start, end - start);
}

}  // namespace

std::string Diagnostics::format(const Diagnostic& d) const {
    std::string name = d.pos.file < files_.size() ? files_[d.pos.file].name : "<unknown>";
    char const* kind = d.severity == Severity::Error ? "error" : "warning";
    if (d.pos.line == 0)
        return name + ": " + kind + ": " + d.message;
    std::string out = name + ":" + std::to_string(d.pos.line) + ":" + std::to_string(d.pos.col) +
                      ": " + kind + ": " + d.message + "\n";
    if (d.pos.file < files_.size())
        out += source_line(files_[d.pos.file].text, d.pos.line);
    out += "\n";
    out.append(d.pos.col > 0 ? d.pos.col - 1 : 0, ' ');
    out += "^";
    return out;
}

void Diagnostics::print(std::ostream& out) const {
    for (auto const& d : list_)
        out << format(d) << "\n";
}

}  // namespace ser::parser
