// An LD_PRELOAD library for disk-fault tests (issue 18): while the file named
// by ZKT_FAULT_ARM exists, write()/pwrite()/writev() and/or fsync()/fdatasync()
// on a file descriptor whose path contains ZKT_FAULT_MATCH fail with EIO, as a
// dying disk's would. ZKT_FAULT_OPS names which: "write", "fsync" or both.
// Everything else goes to libc. Built by tests/support/log_disk_fault.ts.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

static int faulty(int fd, const char *op) {
  const char *arm = getenv("ZKT_FAULT_ARM");
  const char *match = getenv("ZKT_FAULT_MATCH");
  const char *ops = getenv("ZKT_FAULT_OPS");
  if (!arm || !match || !ops || !strstr(ops, op)) return 0;
  if (access(arm, F_OK) != 0) return 0;
  char link[64], path[4096];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, path, sizeof path - 1);
  if (n <= 0) return 0;
  path[n] = 0;
  return strstr(path, match) != NULL;
}

#define REAL(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

ssize_t write(int fd, const void *buf, size_t n) {
  if (faulty(fd, "write")) { errno = EIO; return -1; }
  return REAL(write)(fd, buf, n);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off) {
  if (faulty(fd, "write")) { errno = EIO; return -1; }
  return REAL(pwrite64)(fd, buf, n, off);
}

ssize_t writev(int fd, const struct iovec *iov, int cnt) {
  if (faulty(fd, "write")) { errno = EIO; return -1; }
  return REAL(writev)(fd, iov, cnt);
}

int fsync(int fd) {
  if (faulty(fd, "fsync")) { errno = EIO; return -1; }
  return REAL(fsync)(fd);
}

int fdatasync(int fd) {
  if (faulty(fd, "fsync")) { errno = EIO; return -1; }
  return REAL(fdatasync)(fd);
}
