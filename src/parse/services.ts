/**
 * Well-known service names that `iptables -L` without `-n` prints in place of port numbers
 * (from /etc/services). Only unambiguous, standard assignments are listed; any other name stays
 * unresolved rather than guessed.
 */
const WELL_KNOWN: Readonly<Record<string, number>> = {
  ftp: 21,
  ssh: 22,
  telnet: 23,
  smtp: 25,
  domain: 53,
  bootps: 67,
  bootpc: 68,
  tftp: 69,
  http: 80,
  'www-http': 80,
  www: 80,
  kerberos: 88,
  pop3: 110,
  sunrpc: 111,
  ntp: 123,
  imap2: 143,
  imap: 143,
  snmp: 161,
  ldap: 389,
  https: 443,
  'microsoft-ds': 445,
  isakmp: 500,
  syslog: 514,
  submission: 587,
  ldaps: 636,
  imaps: 993,
  pop3s: 995,
  openvpn: 1194,
  'ms-sql-s': 1433,
  radius: 1812,
  nfs: 2049,
  mysql: 3306,
  postgresql: 5432,
  x11: 6000,
  'http-alt': 8080,
  webcache: 8080,
  'sun-sr-https': 6443,
  'etcd-client': 2379,
  'etcd-server': 2380,
  vxlan: 4789,
  sgmp: 153,
  irc: 194,
  rsync: 873,
  redis: 6379,
};

export function wellKnownPort(name: string): number | null {
  return Object.prototype.hasOwnProperty.call(WELL_KNOWN, name) ? WELL_KNOWN[name] : null;
}
