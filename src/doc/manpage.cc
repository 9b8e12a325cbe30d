#include "doc/manpage.h"

#include <CLI/CLI.hpp>

#include <cctype>
#include <sstream>

namespace ff::doc {

namespace {

// Escapes text for use within a roff line: backslashes, and hyphens so they
// stay ASCII minus signs in options.
std::string escape(std::string_view text) {
  std::string out;
  for (char ch : text) {
    if (ch == '\\') {
      out += "\\e";
    } else if (ch == '-') {
      out += "\\-";
    } else {
      out += ch;
    }
  }
  return out;
}

// Escaped text as roff lines, each ending in a newline; a line that would
// start with a control character is guarded.
std::string roff(std::string_view text) {
  std::string lines;
  std::istringstream in(escape(text));
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && (line[0] == '.' || line[0] == '\'')) lines += "\\&";
    lines += line + "\n";
  }
  return lines;
}

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

bool visible(const CLI::Option* o) { return !o->get_group().empty(); }

// ".TP" entries for the named options of one node of the tree; a
// subcommand's own --help is left out (the program's is listed once).
void write_options(const CLI::App& app, std::string& out) {
  for (const CLI::Option* o : app.get_options(visible)) {
    if (!o->nonpositional()) continue;
    if (app.get_parent() != nullptr && o == app.get_help_ptr()) continue;
    std::string names;
    for (const auto& s : o->get_snames()) names += (names.empty() ? "-" : ", -") + s;
    for (const auto& l : o->get_lnames()) names += (names.empty() ? "--" : ", --") + l;
    // The tag of a .TP paragraph is its next line: names and value type on one.
    out += ".TP\n\\fB" + escape(names) + "\\fR";
    if (o->get_expected_min() > 0 && !o->get_type_name().empty()) {
      out += " \\fI" + escape(o->get_type_name()) + "\\fR";
    }
    out += "\n";
    std::string text = o->get_description();
    if (!o->get_default_str().empty()) text += " (default: " + o->get_default_str() + ")";
    out += roff(text);
  }
}

std::string positionals(const CLI::App& app) {
  std::string out;
  for (const CLI::Option* o : app.get_options()) {
    if (o->nonpositional()) continue;
    std::string n = upper(o->get_name());
    out += " " + (o->get_required() ? n : "[" + n + "]");
  }
  return out;
}

void write_commands(const CLI::App& app, const std::string& prefix, std::string& out) {
  for (const CLI::App* sub :
       app.get_subcommands([](const CLI::App* s) { return !s->get_group().empty(); })) {
    std::string path = prefix + " " + sub->get_name();
    std::string heading = roff(path + positionals(*sub));
    heading.pop_back();  // roff() ends every line with a newline
    out += ".SS \"" + heading + "\"\n" + roff(sub->get_description());
    write_options(*sub, out);
    write_commands(*sub, path, out);
  }
}

}  // namespace

std::string render_man(const ManPage& p) {
  std::string out =
      ".TH " + upper(p.name) + " 1 \"\" \"" + p.name + " " FF_VERSION + "\" \"FortFail manual\"\n";
  out += ".SH NAME\n" + roff(p.name + " - " + p.summary);
  out += ".SH SYNOPSIS\n.B " + roff(p.name);
  if (p.app != nullptr) {
    bool has_subs = !p.app->get_subcommands([](const CLI::App*) { return true; }).empty();
    out += roff(std::string("[OPTIONS]") + (has_subs ? " COMMAND [ARGS]" : ""));
  } else {
    for (const Command& c : p.commands)
      out += ".br\n.B " + roff(p.name + " " + std::string(c.usage));
  }
  out += ".SH DESCRIPTION\n";
  std::istringstream paras(p.description);
  for (std::string line; std::getline(paras, line);) out += line.empty() ? ".PP\n" : roff(line);
  if (p.app != nullptr) {
    out += ".SH OPTIONS\n";
    write_options(*p.app, out);
    if (!p.app->get_subcommands([](const CLI::App*) { return true; }).empty()) {
      out += ".SH COMMANDS\n";
      write_commands(*p.app, p.name, out);
    }
  } else if (!p.commands.empty()) {
    out += ".SH COMMANDS\n";
    for (const Command& c : p.commands) {
      out += ".TP\n.B " + roff(p.name + " " + std::string(c.usage)) + roff(c.description);
    }
  }
  if (!p.variables.empty()) {
    out += ".SH ENVIRONMENT\n";
    for (const Variable& v : p.variables) {
      out += ".TP\n.B " + roff(v.name) +
             roff(std::string(v.description) + " (default: " + std::string(v.default_value) + ")");
    }
  }
  if (!p.files.empty()) {
    out += ".SH FILES\n";
    std::istringstream lines(p.files);
    for (std::string line; std::getline(lines, line);) {
      auto colon = line.find(": ");
      if (colon == std::string::npos) continue;
      out += ".TP\n.I " + roff(line.substr(0, colon)) + roff(line.substr(colon + 2));
    }
  }
  out += ".SH SEE ALSO\n";
  for (const char* n : {"fortfail", "fortfail-agent", "fortfail-orchestrator"}) {
    if (p.name != n) out += ".BR " + std::string(n) + " (1)\n";
  }
  return out;
}

}  // namespace ff::doc
