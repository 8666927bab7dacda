// SPDX-License-Identifier: MIT
/*
 * nic_irqs: the interrupt lines an interface's device owns and how often each fired, per CPU.
 * sysfs names the lines (the PCI function's msi_irqs/ directory, or its legacy irq file; for a
 * virtio NIC, the PCI device one level up); /proc/interrupts counts them. A device with no
 * sysfs parent (lo, veth, every software device) owns none.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ethnl.h"

#define INTERRUPTS_PATH "/proc/interrupts"
#define INTERRUPTS_MAX (4u << 20)

/* Read a whole /proc text file into a NUL-terminated heap buffer. */
static int read_text(const char *path, char **text)
{
	FILE *f = fopen(path, "re");
	size_t len = 0, cap = 16384, n;
	char *buf = NULL, *grown;
	int r = 0;

	if (!f)
		return -errno;
	for (;;) {
		if (!(grown = realloc(buf, cap + 1))) {
			r = -ENOMEM;
			break;
		}
		buf = grown;
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (len < cap) {
			if (ferror(f))
				r = -EIO;
			break;
		}
		if (cap >= INTERRUPTS_MAX) {
			r = -EFBIG;
			break;
		}
		cap *= 2;
	}
	fclose(f);
	if (r < 0) {
		free(buf);
		return r;
	}
	buf[len] = '\0';
	*text = buf;
	return 0;
}

/* The number of CPU columns: the words of the first line ("CPU0 CPU1 ..."). */
static unsigned int cpu_columns(const char *text)
{
	unsigned int n = 0;

	for (const char *p = text; *p && *p != '\n'; p++)
		if (p[0] == 'C' && p[1] == 'P' && p[2] == 'U')
			n++;
	return n;
}

static const char *skip_spaces(const char *p, const char *end)
{
	while (p < end && *p == ' ')
		p++;
	return p;
}

static const char *skip_word(const char *p, const char *end)
{
	while (p < end && *p != ' ')
		p++;
	return p;
}

/* Parse "  38:   0   2576   chip   1-edge   name" into irq (when numbered). 1 when it is a
 * numbered line, 0 for the others (LOC:, NMI:, the header), -EBADMSG when cut short. */
static int parse_line(const char *line, const char *end, unsigned int ncols, struct nic_irq *irq)
{
	const char *name;
	unsigned long v;
	size_t len;
	char *p;

	line = skip_spaces(line, end);
	if (line == end || *line < '0' || *line > '9')
		return 0;
	v = strtoul(line, &p, 10);
	if (*p != ':' || v > UINT_MAX)
		return 0;
	memset(irq, 0, sizeof(*irq));
	irq->irq = (unsigned int)v;
	p++;
	for (unsigned int c = 0; c < ncols; c++) {
		char *q;
		unsigned long long n = strtoull(p, &q, 10);

		if (q == p || q > end)
			return -EBADMSG;
		irq->count += n;
		if (c < NIC_CPUS_MAX)
			irq->per_cpu[irq->ncpus++] = n;
		p = q;
	}
	/* then the chip, the hardware irq and its type, and the handlers' names (", " apart) */
	name = skip_spaces(p, end);
	name = skip_spaces(skip_word(name, end), end);
	name = skip_spaces(skip_word(name, end), end);
	len = (size_t)(end - name);
	if (len >= sizeof(irq->name))
		len = sizeof(irq->name) - 1;
	memcpy(irq->name, name, len);
	irq->name[len] = '\0';
	return 1;
}

static bool wanted(unsigned int irq, const unsigned int *want, size_t nwant)
{
	for (size_t i = 0; i < nwant; i++)
		if (want[i] == irq)
			return true;
	return false;
}

/* fn for every numbered line of a /proc/interrupts text: 0, -EBADMSG (no header, a line cut
 * short), or fn's own error. */
static int each_irq(const char *text, int (*fn)(const struct nic_irq *one, void *ctx), void *ctx)
{
	unsigned int ncols = cpu_columns(text);
	const char *line = strchr(text, '\n'), *end;
	struct nic_irq one;
	int r;

	if (!ncols || !line)
		return -EBADMSG;
	for (line++; *line; line = *end ? end + 1 : end) {
		end = strchr(line, '\n');
		if (!end)
			end = line + strlen(line);
		if ((r = parse_line(line, end, ncols, &one)) < 0)
			return r;
		if (r == 1 && (r = fn(&one, ctx)) < 0)
			return r;
	}
	return 0;
}

struct irq_choice {
	const unsigned int *want;
	size_t nwant;
	const char *match;
	struct nic_irqs *irqs;
};

static int keep_chosen(const struct nic_irq *one, void *ctx)
{
	struct irq_choice *c = ctx;

	bool chosen = c->nwant ? wanted(one->irq, c->want, c->nwant)
			       : c->match && strstr(one->name, c->match);

	if (!chosen)
		return 0;
	if (c->irqs->count == NIC_IRQS_MAX)
		return -E2BIG;
	c->irqs->irq[c->irqs->count++] = *one;
	return 0;
}

int nic_irqs_parse(const char *text, const unsigned int *want, size_t nwant, const char *match,
		   struct nic_irqs *irqs)
{
	struct irq_choice c = { want, nwant, match, irqs };

	irqs->count = 0;
	return each_irq(text, keep_chosen, &c);
}

static int add_count(const struct nic_irq *one, void *ctx)
{
	*(uint64_t *)ctx += one->count;
	return 0;
}

int nic_irqs_device_total(const char *text, uint64_t *total)
{
	*total = 0;
	return each_irq(text, add_count, total);
}

/* The irq numbers listed in dir/msi_irqs/, or dir/irq; how many (0: none), or -errno. */
static int device_irq_numbers(const char *dir, unsigned int *want, size_t cap, char *source)
{
	char path[PATH_MAX];
	struct dirent *de;
	unsigned int v;
	size_t n = 0;
	FILE *f;
	DIR *d;

	snprintf(path, sizeof(path), "%s/msi_irqs", dir);
	if ((d = opendir(path))) {
		while ((de = readdir(d)) && n < cap)
			if (sscanf(de->d_name, "%u", &v) == 1)
				want[n++] = v;
		closedir(d);
		strcpy(source, "msi_irqs");
		return (int)n;
	}
	snprintf(path, sizeof(path), "%s/irq", dir);
	if ((f = fopen(path, "re"))) {
		if (fscanf(f, "%u", &v) == 1 && v > 0)
			want[n++] = v;
		fclose(f);
		strcpy(source, "irq");
	}
	return (int)n;
}

int nic_irqs_read(const char *ifname, struct nic_irqs *irqs)
{
	unsigned int want[NIC_IRQS_MAX];
	char link[PATH_MAX], dev[PATH_MAX], *slash, *text = NULL;
	int n;

	memset(irqs, 0, sizeof(*irqs));
	strcpy(irqs->source, "none");
	snprintf(link, sizeof(link), "/sys/class/net/%s/device", ifname);
	if (!realpath(link, dev))
		return 0; /* no device behind it: a software interface (lo, veth) */
	n = device_irq_numbers(dev, want, NIC_IRQS_MAX, irqs->source);
	/* a virtio NIC's lines belong to the PCI function it sits on, one level up */
	if (n == 0 && (slash = strrchr(dev, '/')) && slash != dev) {
		*slash = '\0';
		n = device_irq_numbers(dev, want, NIC_IRQS_MAX, irqs->source);
	}
	if (n <= 0)
		return 0;
	if ((irqs->err = read_text(INTERRUPTS_PATH, &text)) < 0)
		return irqs->err;
	irqs->err = nic_irqs_parse(text, want, (size_t)n, NULL, irqs);
	free(text);
	return irqs->err;
}

int nic_read_text(const char *path, char **text)
{
	return read_text(path, text);
}
