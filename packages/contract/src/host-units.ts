/**
 * Units a Linux host already runs, whose names a service must not take: Quadlet turns
 * `<name>.container` into `<name>.service`, which would shadow the host's own unit of that name
 * (`systemd-journald`, `dbus`, `sshd`). Names starting with one of RESERVED_SERVICE_NAME_PREFIXES
 * are refused as well. The list holds the services of systemd, D-Bus, OpenSSH, the container
 * engines, and the base system of Debian, Ubuntu, Fedora and RHEL.
 */
export const RESERVED_SERVICE_NAMES: readonly string[] = [
  'accounts-daemon', 'anacron', 'apparmor', 'apt-daily', 'apt-daily-upgrade', 'atd', 'auditd',
  'autovt', 'avahi-daemon', 'bluetooth', 'chrony', 'chronyd', 'cockpit', 'console-getty',
  'container-getty', 'containerd', 'cri-o', 'crio', 'cron', 'crond', 'cups', 'dbus', 'dbus-broker',
  'display-manager', 'dnf-makecache', 'docker', 'emergency', 'firewalld', 'fstrim', 'gdm', 'getty',
  'kubelet', 'lightdm', 'logrotate', 'lvm2-monitor', 'man-db', 'multipathd', 'network', 'networking',
  'nftables', 'ntp', 'ntpd', 'ntpsec', 'packagekit', 'podman', 'polkit', 'rescue', 'rsyslog',
  'sddm', 'serial-getty', 'snapd', 'ssh', 'sshd', 'sssd', 'syslog', 'tuned', 'udisks2', 'ufw',
  'unattended-upgrades', 'upower', 'user-runtime-dir',
];
/** Families of host units: systemd's own (`systemd-journald`), podman's (`podman-auto-update`) and D-Bus's (`dbus-broker`). */
export const RESERVED_SERVICE_NAME_PREFIXES: readonly string[] = ['systemd-', 'podman-', 'dbus-'];

/** Whether a service name would shadow a host unit (see RESERVED_SERVICE_NAMES). */
export function isReservedServiceName(name: string): boolean {
  return RESERVED_SERVICE_NAMES.includes(name) || RESERVED_SERVICE_NAME_PREFIXES.some((prefix) => name.startsWith(prefix));
}
