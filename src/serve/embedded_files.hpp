// Files compiled into the binary (cmake/embed_files.cmake): the web pages `digitnet serve`
// serves and the shipped recipes its learning page and its default model train from.
#pragma once

#include <span>
#include <string_view>

namespace digitnet::serve {

struct EmbeddedFile {
  std::string_view name;   // the file's name, no folder: "index.html", "fast-98.toml"
  std::string_view bytes;  // its contents
};

std::span<const EmbeddedFile> web_files();     // web/*
std::span<const EmbeddedFile> recipe_files();  // recipes/*.toml

// The file named `name` among `files`, or nullptr.
inline const EmbeddedFile* find_file(std::span<const EmbeddedFile> files, std::string_view name) {
  for (const EmbeddedFile& file : files)
    if (file.name == name) return &file;
  return nullptr;
}

}  // namespace digitnet::serve
