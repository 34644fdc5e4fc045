/* linux.netDevices over rtnetlink: a handful of fixed requests (look a link up,
 * dump its addresses, move and rename it, add an address, set it up), written
 * directly on the socket. */
#include "config.h"
#include "runtime/linux/netdev.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "common/cleanup.h"
#include "common/util.h"

#define NL_REQ_SIZE 512
#define NL_RECV_SIZE 65536 /* above what the kernel puts in one dump datagram */

struct nl_req {
	union {
		struct nlmsghdr h;
		char buf[NL_REQ_SIZE];
	} u;
};

/* Start a request of `type` with its family header (ifinfomsg, ifaddrmsg). */
static void *nl_start(struct nl_req *q, uint16_t type, uint16_t flags, const void *hdr, size_t len)
{
	memset(q, 0, sizeof *q);
	q->u.h.nlmsg_len = NLMSG_LENGTH(len);
	q->u.h.nlmsg_type = type;
	q->u.h.nlmsg_flags = NLM_F_REQUEST | flags;
	void *body = NLMSG_DATA(&q->u.h);
	memcpy(body, hdr, len);
	return body;
}

static void nl_attr(struct nl_req *q, uint16_t type, const void *data, size_t len)
{
	size_t off = NLMSG_ALIGN(q->u.h.nlmsg_len);
	/* The requests here are fixed and small: overflowing is a bug. */
	if (off + RTA_SPACE(len) > sizeof q->u.buf)
		abort();
	struct rtattr *a = (struct rtattr *) (q->u.buf + off);
	a->rta_type = type;
	a->rta_len = (unsigned short) RTA_LENGTH(len);
	memcpy(RTA_DATA(a), data, len);
	q->u.h.nlmsg_len = (uint32_t) (off + RTA_SPACE(len));
}

typedef void (*nl_reply_fn)(const struct nlmsghdr *h, void *data);

/* Send q and read its answers (each passed to fn) up to the ack, the end of the
 * dump or the single reply.  0, or the kernel's errno (> 0), or -1 with err set
 * when the socket itself fails. */
static int nl_talk(int fd, struct nl_req *q, nl_reply_fn fn, void *data, cleat_error_t *err)
{
	static uint32_t seq;
	q->u.h.nlmsg_seq = ++seq;
	if (send(fd, q->u.buf, q->u.h.nlmsg_len, 0) < 0)
		return cleat_error_errno(err, errno, "netlink: send");
	_cleanup_free_ char *buf = xmalloc(NL_RECV_SIZE);
	for (;;) {
		ssize_t n = recv(fd, buf, NL_RECV_SIZE, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return cleat_error_errno(err, errno, "netlink: recv");
		size_t left = (size_t) n;
		for (struct nlmsghdr *h = (struct nlmsghdr *) buf; NLMSG_OK(h, left);
		     h = NLMSG_NEXT(h, left)) {
			if (h->nlmsg_seq != q->u.h.nlmsg_seq)
				continue;
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);
				return -e->error;
			}
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (fn)
				fn(h, data);
			if (!(h->nlmsg_flags & NLM_F_MULTI))
				return 0;
		}
	}
}

static int nl_open(int *out, cleat_error_t *err)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return cleat_error_errno(err, errno, "netlink socket");
	*out = fd;
	return 0;
}

/* A netlink socket talks to the namespace it was made in: make one in nsfd's. */
static int nl_open_in(int nsfd, int *out, cleat_error_t *err)
{
	_cleanup_close_ int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return cleat_error_errno(err, errno, "open /proc/self/ns/net");
	if (setns(nsfd, CLONE_NEWNET) < 0)
		return cleat_error_errno(err, errno, "join the container's network namespace");
	int r = nl_open(out, err);
	if (setns(self, CLONE_NEWNET) < 0) {
		/* Going on from the container's namespace would act on the wrong links. */
		perror("cleat: return to the runtime's network namespace");
		abort();
	}
	return r;
}

struct link {
	int index;
	char name[IFNAMSIZ];
	unsigned char mac[32];
	size_t mac_len;
	bool found;
	const struct link *want_mac; /* dump filter: the link with this MAC */
};

static void link_reply(const struct nlmsghdr *h, void *data)
{
	struct link *l = data;
	if (h->nlmsg_type != RTM_NEWLINK)
		return;
	const struct ifinfomsg *ifi = NLMSG_DATA(h);
	struct link got = { .index = ifi->ifi_index, .found = true };
	int len = (int) IFLA_PAYLOAD(h);
	for (const struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		size_t n = RTA_PAYLOAD(a);
		if (a->rta_type == IFLA_IFNAME && n > 0 && n <= IFNAMSIZ)
			snprintf(got.name, sizeof got.name, "%.*s", (int) n,
				 (const char *) RTA_DATA(a));
		else if (a->rta_type == IFLA_ADDRESS && n <= sizeof got.mac) {
			memcpy(got.mac, RTA_DATA(a), n);
			got.mac_len = n;
		}
	}
	const struct link *w = l->want_mac;
	if (w &&
	    (l->found || got.mac_len != w->mac_len || memcmp(got.mac, w->mac, w->mac_len) != 0))
		return;
	got.want_mac = w;
	*l = got;
}

/* The link named `name`, or with index `index` when name is NULL; found = false
 * when there is none.  0, the kernel's errno or -1. */
static int link_get(int fd, const char *name, int index, struct link *out, cleat_error_t *err)
{
	struct nl_req q;
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = name ? 0 : index };
	nl_start(&q, RTM_GETLINK, 0, &ifi, sizeof ifi);
	if (name)
		nl_attr(&q, IFLA_IFNAME, name, strlen(name) + 1);
	memset(out, 0, sizeof *out);
	int r = nl_talk(fd, &q, link_reply, out, err);
	return r == ENODEV ? 0 : r;
}

/* The link with the MAC address of `like` among all of fd's namespace. */
static int link_find_mac(int fd, const struct link *like, struct link *out, cleat_error_t *err)
{
	struct nl_req q;
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	nl_start(&q, RTM_GETLINK, NLM_F_DUMP, &ifi, sizeof ifi);
	memset(out, 0, sizeof *out);
	out->want_mac = like;
	return nl_talk(fd, &q, link_reply, out, err);
}

struct addr {
	struct ifaddrmsg ifa;
	uint32_t flags;
	unsigned char local[16], peer[16], brd[16];
	size_t len;
	bool has_local, has_peer, has_brd;
};

struct addr_list {
	int index;
	struct addr *v;
	size_t n;
};

static void addr_reply(const struct nlmsghdr *h, void *data)
{
	struct addr_list *l = data;
	if (h->nlmsg_type != RTM_NEWADDR)
		return;
	const struct ifaddrmsg *ifa = NLMSG_DATA(h);
	if ((int) ifa->ifa_index != l->index || ifa->ifa_scope != RT_SCOPE_UNIVERSE)
		return;
	struct addr a = { .ifa = *ifa, .flags = ifa->ifa_flags };
	int len = (int) IFA_PAYLOAD(h);
	for (const struct rtattr *t = IFA_RTA(ifa); RTA_OK(t, len); t = RTA_NEXT(t, len)) {
		size_t n = RTA_PAYLOAD(t);
		if (t->rta_type == IFA_FLAGS && n == sizeof(uint32_t))
			memcpy(&a.flags, RTA_DATA(t), n);
		if (n > sizeof a.local)
			continue;
		unsigned char *dst = t->rta_type == IFA_LOCAL	    ? a.local
				     : t->rta_type == IFA_ADDRESS   ? a.peer
				     : t->rta_type == IFA_BROADCAST ? a.brd
								    : NULL;
		if (!dst)
			continue;
		memcpy(dst, RTA_DATA(t), n);
		a.len = n;
		a.has_local |= dst == a.local;
		a.has_peer |= dst == a.peer;
		a.has_brd |= dst == a.brd;
	}
	/* Addresses with lifetimes (SLAAC, DHCP, valid_lft) belong to the host's network. */
	if (!(a.flags & IFA_F_PERMANENT))
		return;
	l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
	l->v[l->n++] = a;
}

static int addr_list_get(int fd, struct addr_list *out, cleat_error_t *err)
{
	struct nl_req q;
	struct ifaddrmsg ifa = { .ifa_family = AF_UNSPEC };
	nl_start(&q, RTM_GETADDR, NLM_F_DUMP, &ifa, sizeof ifa);
	return nl_talk(fd, &q, addr_reply, out, err);
}

static int addr_add(int fd, const struct addr *a, int index, cleat_error_t *err)
{
	struct nl_req q;
	struct ifaddrmsg ifa = { .ifa_family = a->ifa.ifa_family,
				 .ifa_prefixlen = a->ifa.ifa_prefixlen,
				 .ifa_scope = a->ifa.ifa_scope,
				 .ifa_index = (uint32_t) index };
	nl_start(&q, RTM_NEWADDR, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, &ifa, sizeof ifa);
	if (a->has_local)
		nl_attr(&q, IFA_LOCAL, a->local, a->len);
	if (a->has_peer)
		nl_attr(&q, IFA_ADDRESS, a->peer, a->len);
	if (a->has_brd)
		nl_attr(&q, IFA_BROADCAST, a->brd, a->len);
	uint32_t keep = a->flags & (IFA_F_NODAD | IFA_F_NOPREFIXROUTE | IFA_F_HOMEADDRESS);
	nl_attr(&q, IFA_FLAGS, &keep, sizeof keep);
	return nl_talk(fd, &q, NULL, NULL, err);
}

static int link_move(int fd, int index, int nsfd, const char *name, cleat_error_t *err)
{
	struct nl_req q;
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = index };
	nl_start(&q, RTM_NEWLINK, NLM_F_ACK, &ifi, sizeof ifi);
	uint32_t ns = (uint32_t) nsfd;
	nl_attr(&q, IFLA_NET_NS_FD, &ns, sizeof ns);
	nl_attr(&q, IFLA_IFNAME, name, strlen(name) + 1);
	return nl_talk(fd, &q, NULL, NULL, err);
}

static int link_up(int fd, int index, cleat_error_t *err)
{
	struct nl_req q;
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC,
				 .ifi_index = index,
				 .ifi_flags = IFF_UP,
				 .ifi_change = IFF_UP };
	nl_start(&q, RTM_NEWLINK, NLM_F_ACK, &ifi, sizeof ifi);
	return nl_talk(fd, &q, NULL, NULL, err);
}

static const char *target_name(const struct oci_net_device *d)
{
	return d->name ? d->name : d->host_name;
}

/* r from the requests above: the kernel's errno is worded with what was asked. */
static int nl_fail(int r, cleat_error_t *err, const struct oci_net_device *d, const char *what)
{
	if (r < 0)
		return cleat_error_wrap(err, "linux.netDevices[\"%s\"]: %s", d->host_name, what);
	return cleat_error_errno(err, r, "linux.netDevices[\"%s\"]: %s", d->host_name, what);
}

static int name_taken(cleat_error_t *err, const struct oci_net_device *d)
{
	return cleat_error_msg(
		err,
		"linux.netDevices[\"%s\"]: the container's network namespace already "
		"has an interface named \"%s\"",
		d->host_name, target_name(d));
}

static int no_such_device(cleat_error_t *err, const struct oci_net_device *d)
{
	return cleat_error_errno(err, ENODEV,
				 "linux.netDevices[\"%s\"]: no such network interface on the host",
				 d->host_name);
}

int cleat_netdev_check(const struct oci_config *c, const struct cleat_ns_plan *p, bool rootless,
		       cleat_error_t *err)
{
	const struct oci_linux *l = c->linux_;
	if (!l || l->n_net_devices == 0)
		return 0;
	bool own = p->create[CLEAT_NS_NET];
	if (p->join_fd[CLEAT_NS_NET] >= 0) {
		struct stat joined, host;
		own = fstat(p->join_fd[CLEAT_NS_NET], &joined) == 0 &&
		      stat("/proc/self/ns/net", &host) == 0 &&
		      (joined.st_ino != host.st_ino || joined.st_dev != host.st_dev);
	}
	if (!own)
		return cleat_error_msg(
			err, "unable to move network devices without a private NET namespace");
	if (rootless)
		return cleat_error_msg(err, "linux.netDevices: moving network devices needs root "
					    "on the host (rootless container)");
	for (size_t i = 0; i < l->n_net_devices; i++)
		if (if_nametoindex(l->net_devices[i].host_name) == 0)
			return no_such_device(err, &l->net_devices[i]);
	return 0;
}

/* Nothing moves when a name is taken in the container's namespace (a joined one
 * can have anything): the kernel would refuse the move of that one only. */
static int check_free_names(int ctr, const struct oci_linux *l, cleat_error_t *err)
{
	for (size_t i = 0; i < l->n_net_devices; i++) {
		const struct oci_net_device *d = &l->net_devices[i];
		if (strchr(target_name(d), '%'))
			continue;
		struct link there;
		int r = link_get(ctr, target_name(d), 0, &there, err);
		if (r != 0)
			return nl_fail(r, err, d,
				       "look the name up in the container's network namespace");
		if (there.found)
			return name_taken(err, d);
	}
	return 0;
}

static int move_one(int host, int ctr, int nsfd, const struct oci_net_device *d, cleat_error_t *err)
{
	struct link before, after;
	int r = link_get(host, d->host_name, 0, &before, err);
	if (r == 0 && !before.found)
		return no_such_device(err, d);
	if (r != 0)
		return nl_fail(r, err, d, "look the interface up");
	struct addr_list addrs = { .index = before.index };
	r = addr_list_get(host, &addrs, err);
	_cleanup_free_ struct addr *keep = addrs.v;
	if (r != 0)
		return nl_fail(r, err, d, "list its addresses");
	r = link_move(host, before.index, nsfd, target_name(d), err);
	if (r == EEXIST)
		return name_taken(err, d);
	if (r != 0)
		return nl_fail(r, err, d, "move it into the container's network namespace");
	/* The kernel keeps the index unless the namespace already uses it, and picks
	 * the number of a "%d" name: find it by index, then by MAC address. */
	r = link_get(ctr, NULL, before.index, &after, err);
	if (r == 0 && (!after.found || after.mac_len != before.mac_len ||
		       memcmp(after.mac, before.mac, before.mac_len) != 0))
		r = link_find_mac(ctr, &before, &after, err);
	if (r == 0 && !after.found)
		r = ENODEV;
	if (r != 0)
		return nl_fail(r, err, d, "find it in the container's network namespace");
	for (size_t i = 0; i < addrs.n; i++) {
		r = addr_add(ctr, &addrs.v[i], after.index, err);
		if (r != 0)
			return nl_fail(r, err, d, "re-add its addresses in the container");
	}
	r = link_up(ctr, after.index, err);
	if (r != 0)
		return nl_fail(r, err, d, "set it up in the container");
	return 0;
}

int cleat_netdev_move_all(const struct oci_config *c, pid_t init, cleat_error_t *err)
{
	const struct oci_linux *l = c->linux_;
	if (!l || l->n_net_devices == 0)
		return 0;
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/ns/net", (int) init);
	_cleanup_close_ int nsfd = open(path, O_RDONLY | O_CLOEXEC);
	if (nsfd < 0)
		return cleat_error_errno(err, errno, "open %s", path);
	_cleanup_close_ int host = -1;
	_cleanup_close_ int ctr = -1;
	if (nl_open(&host, err) < 0 || nl_open_in(nsfd, &ctr, err) < 0)
		return -1;
	if (check_free_names(ctr, l, err) < 0)
		return -1;
	for (size_t i = 0; i < l->n_net_devices; i++)
		if (move_one(host, ctr, nsfd, &l->net_devices[i], err) < 0)
			return -1;
	return 0;
}
