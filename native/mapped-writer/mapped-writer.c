/*
 * mapped-writer FILE: a test helper (never shipped) that changes a file's bytes while its size,
 * modification time and change time stay as they were.
 *
 * It maps FILE shared and writes every page once at start (the kernel stamps the file's times
 * then, at each page's first write fault). A page already dirty takes later writes through the
 * mapping without a fault, so without a new time, until the page is written back (about 30 s
 * by default). A process that checks the file with stat() — size, mtime, ctime, inode — sees
 * no change while the content changes under it.
 *
 * Prints "ready" once the pages are dirty. Then reads commands from standard input, one a line:
 *   OFFSET HEX   writes the bytes HEX (two hex digits a byte) at OFFSET; answers "ok"
 * and ends at the end of its input.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static int hex(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: mapped-writer FILE\n");
    return 2;
  }
  int fd = open(argv[1], O_RDWR);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0 || st.st_size == 0) {
    perror(argv[1]);
    return 1;
  }
  size_t size = (size_t)st.st_size;
  volatile unsigned char *map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (map == MAP_FAILED) {
    perror("mmap");
    return 1;
  }
  long page = sysconf(_SC_PAGESIZE);
  for (size_t at = 0; at < size; at += (size_t)page) map[at] = map[at];
  printf("ready\n");
  fflush(stdout);

  static char line[1 << 20];
  while (fgets(line, sizeof line, stdin)) {
    char *rest;
    unsigned long long offset = strtoull(line, &rest, 10);
    while (*rest == ' ') rest++;
    size_t at = (size_t)offset;
    for (; hex(rest[0]) >= 0 && hex(rest[1]) >= 0; rest += 2, at++) {
      if (at >= size) {
        fprintf(stderr, "mapped-writer: write past the end of the file\n");
        return 1;
      }
      map[at] = (unsigned char)(hex(rest[0]) * 16 + hex(rest[1]));
    }
    printf("ok\n");
    fflush(stdout);
  }
  return 0;
}
