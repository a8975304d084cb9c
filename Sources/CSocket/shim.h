#ifndef REGIE_CSOCKET_SHIM_H
#define REGIE_CSOCKET_SHIM_H
// Linux socket and event APIs that Glibc's Swift module leaves out (epoll, eventfd, TCP options).
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#endif
