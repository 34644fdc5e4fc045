/* Broken documents: each must fail with exactly the expected message. */
#include <config.h>

#include <string.h>

#include "common/util.h"
#include "oci-spec/config.h"
#include "oci-spec/state.h"
#include "test-oci-tap.h"

/* Cases are written with ' for " to stay readable; q() swaps them back. */
#define CFG(x) "{'ociVersion':'1.0.0'," x "}"
#define PROC(x) CFG("'process':{'user':{'uid':0,'gid':0},'cwd':'/'," x "}")
#define LNX(x) CFG("'linux':{" x "}")
#define RES(x) LNX("'resources':{" x "}")
#define SECC(x) LNX("'seccomp':{'defaultAction':'SCMP_ACT_ALLOW'," x "}")
#define SYSC(x) SECC("'syscalls':[{'names':['read'],'action':'SCMP_ACT_ALLOW'," x "}]")

#define RLIMITS                                                                                   \
	"RLIMIT_AS, RLIMIT_CORE, RLIMIT_CPU, RLIMIT_DATA, RLIMIT_FSIZE, RLIMIT_LOCKS, "           \
	"RLIMIT_MEMLOCK, RLIMIT_MSGQUEUE, RLIMIT_NICE, RLIMIT_NOFILE, RLIMIT_NPROC, RLIMIT_RSS, " \
	"RLIMIT_RTPRIO, RLIMIT_RTTIME, RLIMIT_SIGPENDING, RLIMIT_STACK"
#define ACTIONS                                                                       \
	"SCMP_ACT_KILL, SCMP_ACT_KILL_PROCESS, SCMP_ACT_KILL_THREAD, SCMP_ACT_TRAP, " \
	"SCMP_ACT_ERRNO, SCMP_ACT_TRACE, SCMP_ACT_ALLOW, SCMP_ACT_LOG, SCMP_ACT_NOTIFY"
/* yajl's message quotes with ', written \' here */
#define NEED_COMMA "parse error: after key and value, inside map, I expect \\',\\' or \\'}\\'"
#define NSTYPES "pid, network, mount, ipc, uts, user, cgroup, time"
#define IDS "uids and gids must be in range 0-2147483647"
#define MPOL_MODES                                                               \
	"MPOL_BIND, MPOL_DEFAULT, MPOL_INTERLEAVE, MPOL_LOCAL, MPOL_PREFERRED, " \
	"MPOL_PREFERRED_MANY, MPOL_WEIGHTED_INTERLEAVE"
#define MAP(x) LNX("'uidMappings':[{'containerID':0,'hostID':1000,'size':1}," x "]")

struct bad {
	const char *json, *msg;
};

static const struct bad config_cases[] = {
	/* document */
	{ "[]", "config.json: expected an object, got []" },
	{ "{}", "config.json: .ociVersion: missing required field" },
	{ "{'ociVersion':1}", "config.json: .ociVersion: expected a string, got 1" },
	{ "", "config.json: invalid JSON at line 1, column 1: parse error: premature EOF" },
	{ "{'ociVersion':'1.0.0',\n 'hostname': }",
	  "config.json: invalid JSON at line 2, column 14: parse error: unallowed token at this "
	  "point in JSON text" },
	{ "{\n  'ociVersion': '1.0.0'\n  'process': {}\n}",
	  "config.json: invalid JSON at line 3, column 3: " NEED_COMMA },
	{ "{'ociVersion':'1.0.0','root':{'path':'r\\u0022' 'x'}}",
	  "config.json: invalid JSON at line 1, column 48: " NEED_COMMA },
	{ "{'ociVersion':'1.0.0','process':tru}",
	  "config.json: invalid JSON at line 1, column 35: lexical error: invalid string in json "
	  "text" },
	{ "{'ociVersion':'1.0.0','hostname':12 34}",
	  "config.json: invalid JSON at line 1, column 37: " NEED_COMMA },
	{ "{'ociVersion':'1.0.0'} {}",
	  "config.json: invalid JSON at line 1, column 24: parse error: trailing garbage" },
	{ "{'ociVersion':'1.0.0' /* no */}",
	  "config.json: invalid JSON at line 1, column 23: lexical error: probable comment found "
	  "in input text, comments are not enabled" },
	{ "{'ociVersion':'1\\u0000'}",
	  "config.json: invalid JSON at line 1, column 15: string contains a NUL character" },
	{ "{'ociVersion':'\xff'}",
	  "config.json: invalid JSON at line 1, column 16: lexical error: invalid bytes in UTF8 "
	  "string" },
	/* keys in another case are the field (Go's matching), and so are their errors */
	{ RES("'hugepageLimits':[{'pagesize':2,'limit':1}]"),
	  "config.json: .linux.resources.hugepageLimits[0].pageSize: expected a string, got 2" },
	{ CFG("'ROOT':{'PATH':true}"), "config.json: .root.path: expected a string, got true" },
	/* root, mounts */
	{ CFG("'root':{'readonly':true}"), "config.json: .root.path: missing required field" },
	{ CFG("'root':{'path':'r','readonly':'yes'}"),
	  "config.json: .root.readonly: expected a boolean, got 'yes'" },
	{ CFG("'root':'rootfs'"), "config.json: .root: expected an object, got 'rootfs'" },
	{ CFG("'mounts':{}"), "config.json: .mounts: expected an array, got {}" },
	{ CFG("'mounts':[{'destination':'/a'},{'source':'/b'}]"),
	  "config.json: .mounts[1].destination: missing required field" },
	{ CFG("'mounts':['/proc']"), "config.json: .mounts[0]: expected an object, got '/proc'" },
	{ CFG("'mounts':[{'destination':'/a','options':['ro','nosuid',3]}]"),
	  "config.json: .mounts[0].options[2]: expected a string, got 3" },
	{ CFG("'mounts':[{'destination':'/"
	      "a','uidMappings':[{'containerID':0,'hostID':0,'size':-1}]}]"),
	  "config.json: .mounts[0].uidMappings[0].size: expected an unsigned 32-bit integer, got "
	  "-1" },
	/* process */
	{ PROC("'user':{'uid':'root','gid':0}"),
	  "config.json: .process.user.uid: expected an integer, got 'root'" },
	{ CFG("'process':{'cwd':'/'}"), "config.json: .process.user: missing required field" },
	{ CFG("'process':{'user':{'uid':0,'gid':0}}"),
	  "config.json: .process.cwd: missing required field" },
	{ PROC("'cwd':'tmp'"), "config.json: .process.cwd: expected an absolute path, got 'tmp'" },
	{ PROC("'user':{'uid':0}"), "config.json: .process.user.gid: missing required field" },
	{ PROC("'user':{'uid':0,'gid':4294967296}"),
	  "config.json: .process.user.gid: " IDS ", got 4294967296" },
	/* (uid_t)-1 is "unchanged" to setresuid/setresgid: the process would stay root */
	{ PROC("'user':{'uid':4294967295,'gid':4294967295}"),
	  "config.json: .process.user.uid: " IDS ", got 4294967295" },
	{ PROC("'user':{'uid':4294967295,'gid':1000}"),
	  "config.json: .process.user.uid: " IDS ", got 4294967295" },
	{ PROC("'user':{'uid':1000,'gid':4294967295}"),
	  "config.json: .process.user.gid: " IDS ", got 4294967295" },
	{ PROC("'user':{'uid':2147483648,'gid':0}"),
	  "config.json: .process.user.uid: " IDS ", got 2147483648" },
	{ PROC("'user':{'uid':0,'gid':-1}"), "config.json: .process.user.gid: " IDS ", got -1" },
	{ PROC("'user':{'uid':-0,'gid':0}"), "config.json: .process.user.uid: " IDS ", got -0" },
	{ PROC("'user':{'uid':1.5,'gid':0}"),
	  "config.json: .process.user.uid: expected an integer, got 1.5" },
	{ PROC("'user':{'uid':1e3,'gid':0}"),
	  "config.json: .process.user.uid: expected an integer, got 1e3" },
	{ PROC("'user':{'uid':'1000','gid':0}"),
	  "config.json: .process.user.uid: expected an integer, got '1000'" },
	{ PROC("'user':{'uid':0,'gid':0,'additionalGids':[1,'x']}"),
	  "config.json: .process.user.additionalGids[1]: expected an integer, got 'x'" },
	{ PROC("'user':{'uid':0,'gid':0,'additionalGids':[5,4294967295]}"),
	  "config.json: .process.user.additionalGids[1]: " IDS ", got 4294967295" },
	{ PROC("'user':{'uid':0,'gid':0,'additionalGids':[2147483648]}"),
	  "config.json: .process.user.additionalGids[0]: " IDS ", got 2147483648" },
	{ PROC("'args':'sh'"), "config.json: .process.args: expected an array, got 'sh'" },
	{ PROC("'env':[null]"), "config.json: .process.env[0]: expected a string, got null" },
	{ PROC("'terminal':'true'"),
	  "config.json: .process.terminal: expected a boolean, got 'true'" },
	{ PROC("'consoleSize':{'height':10}"),
	  "config.json: .process.consoleSize.width: missing required field" },
	{ PROC("'capabilities':{'bounding':'CAP_KILL'}"),
	  "config.json: .process.capabilities.bounding: expected an array, got 'CAP_KILL'" },
	{ PROC("'rlimits':[{'type':'RLIMIT_FOO','hard':1,'soft':1}]"),
	  "config.json: .process.rlimits[0].type: expected one of " RLIMITS ", got 'RLIMIT_FOO'" },
	{ PROC("'rlimits':[{'type':'RLIMIT_NOFILE','hard':1}]"),
	  "config.json: .process.rlimits[0].soft: missing required field" },
	{ PROC("'rlimits':[{'type':'RLIMIT_NOFILE','hard':1,'soft':1},"
	       "{'type':'RLIMIT_NOFILE','hard':2,'soft':2}]"),
	  "config.json: .process.rlimits[1].type: duplicate rlimit type, got 'RLIMIT_NOFILE'" },
	{ PROC("'rlimits':[{'type':'RLIMIT_CORE','hard':-1,'soft':0}]"),
	  "config.json: .process.rlimits[0].hard: expected an unsigned 64-bit integer, got -1" },
	{ PROC("'rlimits':[{'type':'RLIMIT_CORE','hard':18446744073709551616,'soft':0}]"),
	  "config.json: .process.rlimits[0].hard: expected an unsigned 64-bit integer, got "
	  "18446744073709551616" },
	{ PROC("'oomScoreAdj':1001"), "config.json: .process.oomScoreAdj: expected an integer "
				      "between -1000 and 1000, got 1001" },
	{ PROC("'noNewPrivileges':1"),
	  "config.json: .process.noNewPrivileges: expected a boolean, got 1" },
	{ PROC("'scheduler':{'nice':1}"),
	  "config.json: .process.scheduler.policy: missing required field" },
	{ PROC("'scheduler':{'policy':'SCHED_FAST'}"),
	  "config.json: .process.scheduler.policy: expected one of SCHED_OTHER, SCHED_FIFO, "
	  "SCHED_RR, SCHED_BATCH, SCHED_ISO, SCHED_IDLE, SCHED_DEADLINE, got 'SCHED_FAST'" },
	{ PROC("'scheduler':{'policy':'SCHED_OTHER','nice':20}"),
	  "config.json: .process.scheduler.nice: expected an integer between -20 and 19, got 20" },
	{ PROC("'scheduler':{'policy':'SCHED_OTHER','flags':['SCHED_FLAG_RECLAIM','X']}"),
	  "config.json: .process.scheduler.flags[1]: expected one of SCHED_FLAG_RESET_ON_FORK, "
	  "SCHED_FLAG_RECLAIM, SCHED_FLAG_DL_OVERRUN, SCHED_FLAG_KEEP_POLICY, "
	  "SCHED_FLAG_KEEP_PARAMS, SCHED_FLAG_UTIL_CLAMP_MIN, SCHED_FLAG_UTIL_CLAMP_MAX, got 'X'" },
	{ PROC("'ioPriority':{'class':'IOPRIO_CLASS_NONE'}"),
	  "config.json: .process.ioPriority.class: expected one of IOPRIO_CLASS_RT, "
	  "IOPRIO_CLASS_BE, IOPRIO_CLASS_IDLE, got 'IOPRIO_CLASS_NONE'" },
	{ PROC("'ioPriority':{'class':'IOPRIO_CLASS_BE','priority':8}"),
	  "config.json: .process.ioPriority.priority: expected an integer between 0 and 7, got 8" },
	{ PROC("'execCPUAffinity':{'initial':0}"),
	  "config.json: .process.execCPUAffinity.initial: expected a string, got 0" },
	/* hooks, annotations */
	{ CFG("'hooks':{'prestart':[{'args':['x']}]}"),
	  "config.json: .hooks.prestart[0].path: missing required field" },
	{ CFG("'hooks':{'poststop':[{'path':'/bin/true'},{'path':'hook.sh'}]}"),
	  "config.json: .hooks.poststop[1].path: expected an absolute path, got 'hook.sh'" },
	{ CFG("'hooks':{'createRuntime':[{'path':'/h','timeout':0}]}"),
	  "config.json: .hooks.createRuntime[0].timeout: expected an integer between 1 and "
	  "2147483647, got 0" },
	{ CFG("'hooks':{'startContainer':{'path':'/h'}}"),
	  "config.json: .hooks.startContainer: expected an array, got {'path':'/h'}" },
	{ CFG("'annotations':{'a':1}"),
	  "config.json: .annotations['a']: expected a string, got 1" },
	{ CFG("'hostname':['h']"), "config.json: .hostname: expected a string, got ['h']" },
	/* linux */
	{ LNX("'namespaces':[{'path':'/proc/1/ns/pid'}]"),
	  "config.json: .linux.namespaces[0].type: missing required field" },
	{ LNX("'namespaces':[{'type':'net'}]"),
	  "config.json: .linux.namespaces[0].type: expected one of " NSTYPES ", got 'net'" },
	{ LNX("'namespaces':[{'type':'pid'},{'type':'mount'},{'type':'pid'}]"),
	  "config.json: .linux.namespaces[2].type: duplicate namespace type, got 'pid'" },
	{ LNX("'namespaces':[{'type':'network','path':'netns'}]"),
	  "config.json: .linux.namespaces[0].path: expected an absolute path, got 'netns'" },
	{ LNX("'uidMappings':[{'containerID':0,'size':1}]"),
	  "config.json: .linux.uidMappings[0].hostID: missing required field" },
	/* a mapping the kernel would refuse is refused with its path */
	{ MAP("{'containerID':1,'hostID':2000,'size':0}"),
	  "config.json: .linux.uidMappings[1].size: expected at least 1, got 0" },
	{ MAP("{'containerID':1,'hostID':4294967295,'size':1}"),
	  "config.json: .linux.uidMappings[1]: hostID + size exceeds 4294967295, got "
	  "{'containerID':1,'hostID':4294967295,'size':1}" },
	{ MAP("{'containerID':4294967295,'hostID':1,'size':1}"),
	  "config.json: .linux.uidMappings[1]: containerID + size exceeds 4294967295, got "
	  "{'containerID':4294967295,'hostID':1,'size':1}" },
	{ MAP("{'containerID':1,'hostID':4294967000,'size':296}"),
	  "config.json: .linux.uidMappings[1]: hostID + size exceeds 4294967295, got "
	  "{'containerID':1,'hostID':4294967000,'size':296}" },
	{ LNX("'gidMappings':[{'containerID':0,'hostID':100000,'size':4294967295}]"),
	  "config.json: .linux.gidMappings[0]: hostID + size exceeds 4294967295, got "
	  "{'containerID':0,'hostID':100000,'size':4294967295}" },
	{ CFG("'mounts':[{'destination':'/a','gidMappings':[{'containerID':10,'hostID':0,'size':"
	      "4294967290}]}]"),
	  "config.json: .mounts[0].gidMappings[0]: containerID + size exceeds 4294967295, got "
	  "{'containerID':10,'hostID':0,'size':4294967290}" },
	{ LNX("'devices':[{'type':'c','path':'/dev/x','major':1,'minor':3,'uid':4294967295}]"),
	  "config.json: .linux.devices[0].uid: " IDS ", got 4294967295" },
	{ LNX("'devices':[{'type':'p','path':'/dev/x','gid':2147483648}]"),
	  "config.json: .linux.devices[0].gid: " IDS ", got 2147483648" },
	{ LNX("'timeOffsets':{'realtime':{'secs':1}}"),
	  "config.json: .linux.timeOffsets['realtime']: expected a clock name, one of boottime, "
	  "monotonic" },
	{ LNX("'timeOffsets':{'boottime':{'secs':1,'nanosecs':1000000000}}"),
	  "config.json: .linux.timeOffsets['boottime'].nanosecs: expected an integer between 0 and "
	  "999999999, got 1000000000" },
	{ LNX("'devices':[{'type':'x','path':'/dev/x'}]"),
	  "config.json: .linux.devices[0].type: expected one of c, b, u, p, got 'x'" },
	{ LNX("'devices':[{'type':'c','path':'/dev/null','minor':3}]"),
	  "config.json: .linux.devices[0].major: missing required field" },
	{ LNX("'devices':[{'type':'p','path':'dev/fifo'}]"),
	  "config.json: .linux.devices[0].path: expected an absolute path, got 'dev/fifo'" },
	{ LNX("'rootfsPropagation':'bogus'"),
	  "config.json: .linux.rootfsPropagation: expected one of private, shared, slave, "
	  "unbindable, rprivate, rshared, rslave, runbindable, got 'bogus'" },
	{ LNX("'sysctl':{'net.ipv4.ip_forward':1}"),
	  "config.json: .linux.sysctl['net.ipv4.ip_forward']: expected a string, got 1" },
	{ LNX("'maskedPaths':'/proc/kcore'"),
	  "config.json: .linux.maskedPaths: expected an array, got '/proc/kcore'" },
	{ LNX("'personality':{'domain':'LINUX64'}"),
	  "config.json: .linux.personality.domain: expected one of LINUX, LINUX32, got 'LINUX64'" },
	{ LNX("'netDevices':{'eth0':{'name':'a/b'}}"),
	  "config.json: .linux.netDevices['eth0'].name: expected a valid interface name, got "
	  "'a/b'" },
	{ LNX("'netDevices':{'averyveryverylongname':{}}"),
	  "config.json: .linux.netDevices['averyveryverylongname']: expected a valid interface "
	  "name "
	  "as the key" },
	{ LNX("'netDevices':{'eth0':{'name':'lo'}}"),
	  "config.json: .linux.netDevices['eth0'].name: every network namespace already has lo, "
	  "got 'lo'" },
	{ LNX("'netDevices':{'eth0':{'name':'e%d%d'}}"),
	  "config.json: .linux.netDevices['eth0'].name: expected at most one '%', as %d, got "
	  "'e%d%d'" },
	{ LNX("'netDevices':{'eth0':{'name':'e%s'}}"),
	  "config.json: .linux.netDevices['eth0'].name: expected at most one '%', as %d, got "
	  "'e%s'" },
	{ LNX("'netDevices':{'eth0':{'name':'..'}}"),
	  "config.json: .linux.netDevices['eth0'].name: expected a valid interface name, got "
	  "'..'" },
	{ LNX("'netDevices':{'eth0':{'name':'a:b'}}"),
	  "config.json: .linux.netDevices['eth0'].name: expected a valid interface name, got "
	  "'a:b'" },
	{ LNX("'netDevices':{'lo':{'name':'lo0'}}"),
	  "config.json: .linux.netDevices['lo']: the loopback device cannot leave its network "
	  "namespace" },
	{ LNX("'netDevices':{'a':{'name':'x'},'b':{'name':'x'}}"),
	  "config.json: .linux.netDevices['b']: the container name 'x' is also the one of "
	  "netDevices['a']" },
	{ LNX("'netDevices':{'a':{},'b':{'name':'a'}}"),
	  "config.json: .linux.netDevices['b']: the container name 'a' is also the one of "
	  "netDevices['a']" },
	{ LNX("'netDevices':{'eth0':[]}"),
	  "config.json: .linux.netDevices['eth0']: expected an object, got []" },
	{ LNX("'intelRdt':{'enableCMT':'yes'}"),
	  "config.json: .linux.intelRdt.enableCMT: expected a boolean, got 'yes'" },
	{ LNX("'intelRdt':{'closID':'a/b'}"),
	  "config.json: .linux.intelRdt.closID: expected \'/\' or a directory name without "
	  "\'/\', got 'a/b'" },
	{ LNX("'intelRdt':{'closID':'..'}"),
	  "config.json: .linux.intelRdt.closID: expected \'/\' or a directory name without "
	  "\'/\', got '..'" },
	{ LNX("'intelRdt':{'memBwSchema':'L3:0=f'}"),
	  "config.json: .linux.intelRdt.memBwSchema: expected one line starting with \'MB:\', "
	  "got 'L3:0=f'" },
	{ LNX("'intelRdt':{'schemata':['L3:0=f','MB:0=20\\nL2:0=1']}"),
	  "config.json: .linux.intelRdt.schemata[1]: must not contain a newline, got "
	  "'MB:0=20\\nL2:0=1'" },
	{ LNX("'intelRdt':{'enableMonitoring':1}"),
	  "config.json: .linux.intelRdt.enableMonitoring: expected a boolean, got 1" },
	/* memoryPolicy */
	{ LNX("'memoryPolicy':{}"),
	  "config.json: .linux.memoryPolicy.mode: missing required field" },
	{ LNX("'memoryPolicy':{'mode':'INTERLEAVE','nodes':'0'}"),
	  "config.json: .linux.memoryPolicy.mode: expected one of " MPOL_MODES
	  ", got 'INTERLEAVE'" },
	{ LNX("'memoryPolicy':{'mode':'MPOL_PREFERRED','nodes':'0','flags':["
	      "'MPOL_F_RELATIVE_NODES','badflag']}"),
	  "config.json: .linux.memoryPolicy.flags[1]: expected one of MPOL_F_NUMA_BALANCING, "
	  "MPOL_F_RELATIVE_NODES, MPOL_F_STATIC_NODES, got 'badflag'" },
	{ LNX("'memoryPolicy':{'mode':'MPOL_BIND','nodes':'0','flags':["
	      "'MPOL_F_RELATIVE_NODES','MPOL_F_STATIC_NODES']}"),
	  "config.json: .linux.memoryPolicy.flags: MPOL_F_RELATIVE_NODES and MPOL_F_STATIC_NODES "
	  "exclude each other, got ['MPOL_F_RELATIVE_NODES','MPOL_F_STATIC_NODES']" },
	{ LNX("'memoryPolicy':{'mode':'MPOL_BIND'}"),
	  "config.json: .linux.memoryPolicy.nodes: mode MPOL_BIND needs at least one node" },
	{ LNX("'memoryPolicy':{'mode':'MPOL_INTERLEAVE','nodes':' , '}"),
	  "config.json: .linux.memoryPolicy.nodes: mode MPOL_INTERLEAVE needs at least one node, "
	  "got ' , '" },
	{ LNX("'memoryPolicy':{'mode':'MPOL_DEFAULT','nodes':'0-7'}"),
	  "config.json: .linux.memoryPolicy.nodes: mode MPOL_DEFAULT takes no nodes (8 given), got "
	  "'0-7'" },
	{ LNX("'memoryPolicy':{'mode':'MPOL_LOCAL','nodes':'1'}"),
	  "config.json: .linux.memoryPolicy.nodes: mode MPOL_LOCAL takes no nodes (1 given), got "
	  "'1'" },
	{ LNX("'memoryPolicy':{'mode':'MPOL_BIND','nodes':'0-x'}"),
	  "config.json: .linux.memoryPolicy.nodes: expected a node list such as \'0-3,7\' (bad "
	  "element \'0-x\'), got '0-x'" },
	{ LNX("'memoryPolicy':{'mode':'MPOL_BIND','nodes':'0;1'}"),
	  "config.json: .linux.memoryPolicy.nodes: expected a node list such as \'0-3,7\' (bad "
	  "element \'0;1\'), got '0;1'" },
	{ LNX("'memoryPolicy':{'mode':'MPOL_BIND','nodes':'-1'}"),
	  "config.json: .linux.memoryPolicy.nodes: expected a node list such as \'0-3,7\' (bad "
	  "element \'-1\'), got '-1'" },
	{ LNX("'memoryPolicy':{'mode':'MPOL_BIND','nodes':'3-1'}"),
	  "config.json: .linux.memoryPolicy.nodes: range \'3-1\' ends before it starts, got "
	  "'3-1'" },
	{ LNX("'memoryPolicy':{'mode':'MPOL_BIND','nodes':'0,1024'}"),
	  "config.json: .linux.memoryPolicy.nodes: node 1024 is above the maximum 1023, got "
	  "'0,1024'" },
	{ LNX("'memoryPolicy':{'mode':'MPOL_BIND','nodes':0}"),
	  "config.json: .linux.memoryPolicy.nodes: expected a string, got 0" },
	/* resources */
	{ RES("'devices':[{'access':'rwm'}]"),
	  "config.json: .linux.resources.devices[0].allow: missing required field" },
	{ RES("'devices':[{'allow':true,'type':'p'}]"),
	  "config.json: .linux.resources.devices[0].type: expected one of a, c, b, got 'p'" },
	{ RES("'memory':{'limit':'1G'}"), "config.json: .linux.resources.memory.limit: expected a "
					  "signed 64-bit integer, got '1G'" },
	{ RES("'memory':{'limit':9223372036854775808}"),
	  "config.json: .linux.resources.memory.limit: expected a signed 64-bit integer, got "
	  "9223372036854775808" },
	{ RES("'memory':{'swappiness':101}"),
	  "config.json: .linux.resources.memory.swappiness: expected an integer between 0 and 100, "
	  "got 101" },
	{ RES("'pids':{'limit':'10'}"),
	  "config.json: .linux.resources.pids.limit: expected a signed 64-bit integer, got '10'" },
	{ RES("'cpu':{'shares':-2}"),
	  "config.json: .linux.resources.cpu.shares: expected an unsigned 64-bit integer, got -2" },
	{ RES("'blockIO':{'weight':65536}"),
	  "config.json: .linux.resources.blockIO.weight: expected an unsigned 16-bit integer, got "
	  "65536" },
	{ RES("'blockIO':{'throttleReadBpsDevice':[{'major':8,'minor':0}]}"),
	  "config.json: .linux.resources.blockIO.throttleReadBpsDevice[0].rate: missing required "
	  "field" },
	{ RES("'hugepageLimits':[{'limit':1}]"),
	  "config.json: .linux.resources.hugepageLimits[0].pageSize: missing required field" },
	{ RES("'network':{'priorities':[{'name':'eth0','priority':-1}]}"),
	  "config.json: .linux.resources.network.priorities[0].priority: expected an unsigned "
	  "32-bit integer, got -1" },
	{ RES("'rdma':{'mlx5_0':{'hcaHandles':'x'}}"),
	  "config.json: .linux.resources.rdma['mlx5_0'].hcaHandles: expected an unsigned 32-bit "
	  "integer, got 'x'" },
	{ RES("'unified':{'memory.max':1}"),
	  "config.json: .linux.resources.unified['memory.max']: expected a string, got 1" },
	/* seccomp */
	{ LNX("'seccomp':{'syscalls':[]}"),
	  "config.json: .linux.seccomp.defaultAction: missing required field" },
	{ LNX("'seccomp':{'defaultAction':'SCMP_ACT_DENY'}"),
	  "config.json: .linux.seccomp.defaultAction: expected one of " ACTIONS
	  ", got 'SCMP_ACT_DENY'" },
	{ SECC("'architectures':['SCMP_ARCH_X86_64','x86_64']"),
	  "config.json: .linux.seccomp.architectures[1]: expected one of SCMP_ARCH_X86, "
	  "SCMP_ARCH_X86_64, SCMP_ARCH_X32, SCMP_ARCH_ARM, SCMP_ARCH_AARCH64, SCMP_ARCH_MIPS, "
	  "SCMP_ARCH_MIPS64, SCMP_ARCH_MIPS64N32, SCMP_ARCH_MIPSEL, SCMP_ARCH_MIPSEL64, "
	  "SCMP_ARCH_MIPSEL64N32, SCMP_ARCH_PPC, SCMP_ARCH_PPC64, SCMP_ARCH_PPC64LE, "
	  "SCMP_ARCH_S390, "
	  "SCMP_ARCH_S390X, SCMP_ARCH_PARISC, SCMP_ARCH_PARISC64, SCMP_ARCH_RISCV64, "
	  "SCMP_ARCH_LOONGARCH64, got 'x86_64'" },
	{ SECC("'flags':['SECCOMP_FILTER_FLAG_NEW_LISTENER']"),
	  "config.json: .linux.seccomp.flags[0]: expected one of SECCOMP_FILTER_FLAG_TSYNC, "
	  "SECCOMP_FILTER_FLAG_LOG, SECCOMP_FILTER_FLAG_SPEC_ALLOW, "
	  "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, got 'SECCOMP_FILTER_FLAG_NEW_LISTENER'" },
	{ SECC("'syscalls':[{'action':'SCMP_ACT_ALLOW'}]"),
	  "config.json: .linux.seccomp.syscalls[0].names: missing required field" },
	{ SECC("'syscalls':[{'names':[],'action':'SCMP_ACT_ALLOW'}]"),
	  "config.json: .linux.seccomp.syscalls[0].names: expected a non-empty array, got []" },
	{ SECC("'syscalls':[{'names':['read']}]"),
	  "config.json: .linux.seccomp.syscalls[0].action: missing required field" },
	{ SYSC("'action':'ALLOW'"),
	  "config.json: .linux.seccomp.syscalls[0].action: expected one of " ACTIONS
	  ", got 'ALLOW'" },
	{ SYSC("'args':[{'index':6,'value':0,'op':'SCMP_CMP_EQ'}]"),
	  "config.json: .linux.seccomp.syscalls[0].args[0].index: expected an integer between 0 "
	  "and "
	  "5, got 6" },
	{ SYSC("'args':[{'index':0,'value':0,'op':'EQ'}]"),
	  "config.json: .linux.seccomp.syscalls[0].args[0].op: expected one of SCMP_CMP_NE, "
	  "SCMP_CMP_LT, SCMP_CMP_LE, SCMP_CMP_EQ, SCMP_CMP_GE, SCMP_CMP_GT, SCMP_CMP_MASKED_EQ, "
	  "got 'EQ'" },
	{ SYSC("'args':[{'index':0,'op':'SCMP_CMP_EQ'}]"),
	  "config.json: .linux.seccomp.syscalls[0].args[0].value: missing required field" },
	{ SYSC("'errnoRet':-1"),
	  "config.json: .linux.seccomp.syscalls[0].errnoRet: expected an unsigned 32-bit integer, "
	  "got -1" },
};

/* Replace every ' with ", except \' which stands for a literal '. */
static char *q(const char *s)
{
	char *r = xstrdup(s), *w = r;
	for (const char *p = s; *p; p++) {
		if (p[0] == '\\' && p[1] == '\'')
			*w++ = *++p;
		else
			*w++ = *p == '\'' ? '"' : *p;
	}
	*w = '\0';
	return r;
}

static void expect_config_error(const struct bad *b, size_t i)
{
	_cleanup_free_ char *json = q(b->json), *want = q(b->msg);
	struct oci_config *c = NULL;
	cleat_error_t err = NULL;
	int r = oci_config_parse(json, strlen(json), "config.json", &c, &err);
	_cleanup_free_ char *what = xasprintf("broken config %zu: %s", i, want);
	is(r < 0 && err ? err->msg : "(parsed)", want, what);
	ok(r < 0 ? c == NULL : true, "no config handed out on failure");
	cleat_error_free(&err);
	oci_config_free(c);
}

static void expect(int r, cleat_error_t *err, const char *msg)
{
	_cleanup_free_ char *want = q(msg);
	is(r < 0 && *err ? (*err)->msg : "(parsed)", want, want);
	cleat_error_free(err);
}

static bool utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *) s;
	while (*p) {
		int n = *p < 0x80	      ? 0
			: (*p & 0xE0) == 0xC0 ? 1
			: (*p & 0xF0) == 0xE0 ? 2
			: (*p & 0xF8) == 0xF0 ? 3
					      : -1;
		if (n < 0)
			return false;
		p++;
		for (int i = 0; i < n; i++, p++)
			if ((*p & 0xC0) != 0x80)
				return false;
	}
	return true;
}

static void test_other_documents(void)
{
	cleat_error_t err = NULL;
	struct oci_process *p = NULL;
	_cleanup_free_ char *pj = q("{'user':{'uid':0,'gid':0},'cwd':'relative'}");
	expect(oci_process_parse(pj, strlen(pj), "process.json", &p, &err), &err,
	       "process.json: .cwd: expected an absolute path, got 'relative'");
	_cleanup_free_ char *pj2 = q("{'user':{'uid':-1,'gid':0},'cwd':'/'}");
	expect(oci_process_parse(pj2, strlen(pj2), "process.json", &p, &err), &err,
	       "process.json: .user.uid: " IDS ", got -1");
	_cleanup_free_ char *pj3 = q("{'user':{'uid':4294967295,'gid':4294967295},'cwd':'/'}");
	expect(oci_process_parse(pj3, strlen(pj3), "process.json", &p, &err), &err,
	       "process.json: .user.uid: " IDS ", got 4294967295");
	_cleanup_free_ char *pj4 = q("{'user':{'uid':0,'gid':0,'additionalGids':[4294967295]},"
				     "'cwd':'/'}");
	expect(oci_process_parse(pj4, strlen(pj4), "process.json", &p, &err), &err,
	       "process.json: .user.additionalGids[0]: " IDS ", got 4294967295");
	expect(oci_process_parse("7", 1, "process.json", &p, &err), &err,
	       "process.json: expected an object, got 7");

	struct oci_resources *r = NULL;
	_cleanup_free_ char *rj = q("{'memory':{'limit':true}}");
	expect(oci_resources_parse(rj, strlen(rj), "resources.json", &r, &err), &err,
	       "resources.json: .memory.limit: expected a signed 64-bit integer, got true");

	struct oci_state *s = NULL;
	_cleanup_free_ char *sj = q("{'ociVersion':'1.0.2','status':'running','bundle':'/b'}");
	expect(oci_state_parse(sj, strlen(sj), "state.json", &s, &err), &err,
	       "state.json: .id: missing required field");
	_cleanup_free_ char *sj2 = q("{'ociVersion':'1.0.2','id':'a','status':'up','bundle':'/b'}");
	expect(oci_state_parse(sj2, strlen(sj2), "state.json", &s, &err), &err,
	       "state.json: .status: expected one of creating, created, running, stopped, paused, "
	       "got 'up'");

	/* nesting is bounded before yajl_tree builds (and recursively frees) a tree */
	char deep[200];
	memset(deep, '[', sizeof deep - 1);
	deep[sizeof deep - 1] = '\0';
	struct oci_config *c = NULL;
	expect(oci_config_parse(deep, strlen(deep), "config.json", &c, &err), &err,
	       "config.json: invalid JSON at line 1, column 65: nesting deeper than 64 levels");

	/* a long offending value is cut short in the message, with its length */
	_cleanup_free_ char *longv = xasprintf("{\"ociVersion\":\"1\",\"hostname\":[\"%0200d\"]}",
					       0);
	_cleanup_free_ char *cut = xasprintf("config.json: .hostname: expected a string, got "
					     "['%.62s\xe2\x80\xa6 (204 bytes)",
					     strchr(longv, '[') + 2);
	expect(oci_config_parse(longv, strlen(longv), "config.json", &c, &err), &err, cut);

	/* a long string keeps its quotes and says its own length; hostname is refused at
	 * parse time past the kernel's 64 bytes, naming the field */
	_cleanup_free_ char *host = xmalloc(100001);
	memset(host, 'h', 100000);
	host[100000] = '\0';
	_cleanup_free_ char *hostdoc = xasprintf("{\"ociVersion\":\"1\",\"hostname\":\"%s\"}",
						 host);
	_cleanup_free_ char *hostmsg = xasprintf(
		"config.json: .hostname: expected at most 64 bytes, "
		"got '%.64s\xe2\x80\xa6' (100000 bytes)",
		host);
	expect(oci_config_parse(hostdoc, strlen(hostdoc), "config.json", &c, &err), &err, hostmsg);
	_cleanup_free_ char *dom = xasprintf("{\"ociVersion\":\"1\",\"domainname\":\"%.65s\"}",
					     host);
	_cleanup_free_ char *dommsg = xasprintf(
		"config.json: .domainname: expected at most 64 bytes, "
		"got '%.65s'",
		host);
	expect(oci_config_parse(dom, strlen(dom), "config.json", &c, &err), &err, dommsg);
	_cleanup_free_ char *ok64 = xasprintf("{\"ociVersion\":\"1\",\"hostname\":\"%.64s\"}",
					      host);
	ok(oci_config_parse(ok64, strlen(ok64), "config.json", &c, &err) == 0,
	   "a 64-byte hostname is accepted");
	oci_config_free(c);
	c = NULL;
	cleat_error_free(&err);

	/* ... and never in the middle of a UTF-8 sequence */
	char utf[400] = "{\"ociVersion\":\"1\",\"hostname\":[\"";
	for (int i = 0; i < 100; i++)
		strcat(utf, "\xc3\xa9");
	strcat(utf, "\"]}");
	ok(oci_config_parse(utf, strlen(utf), "config.json", &c, &err) < 0 && err &&
		   utf8_valid(err->msg) && strstr(err->msg, "\xe2\x80\xa6 (") != NULL,
	   "a cut value stays valid UTF-8");
	cleat_error_free(&err);

	/* load uses the file's base name as the origin */
	expect(oci_config_load("/nonexistent/dir/config.json", &c, &err), &err,
	       "open '/nonexistent/dir/config.json'");
}

int main(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(config_cases); i++)
		expect_config_error(&config_cases[i], i);
	test_other_documents();
	return tap_done();
}
