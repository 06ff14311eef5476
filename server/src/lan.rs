//! Which of this machine's addresses phones on the same network can reach.
//!
//! At a venue Hearth runs on a laptop and phones join over the room's
//! Wi-Fi or the laptop's hotspot, often with no internet and so no default
//! route. The address printed, shown on the console and put in the QR code
//! must then be the laptop's address on that network: never `0.0.0.0` or
//! `127.0.0.1` while a network interface exists, and not a container
//! bridge or a VPN tunnel, which phones cannot reach. Nothing here sends a
//! packet: the kernel is only asked which address its routes and
//! interfaces hold. `--public-url` overrides the choice.

use std::net::IpAddr;

/// Interface names of virtual networks phones in the room cannot reach:
/// container and VM bridges, and VPN tunnels.
const VIRTUAL: [&str; 13] = [
    "docker", "br-", "veth", "virbr", "vboxnet", "vmnet", "lxcbr", "lxdbr", "cni", "flannel",
    "tun", "utun", "wg",
];

/// This machine's address for phones on its network, if it has one.
pub fn detect() -> Option<IpAddr> {
    let route = local_ip_address::local_ip().ok();
    let interfaces = local_ip_address::list_afinet_netifas().unwrap_or_default();
    choose(route, &interfaces)
}

/// Picks the address phones should use from the one the kernel would send
/// from by default (`route`, absent with no default route, as offline) and
/// every interface's addresses. In order of preference:
/// 1. the default route's address, if it is private and on a real interface;
/// 2. a private address (192.168/16, then 10/8, then 172.16/12) on a real
///    interface: the Wi-Fi or hotspot of an offline venue;
/// 3. the default route's address on a real interface, even public (a server);
/// 4. any other IPv4 address that is not loopback or link-local.
pub fn choose(route: Option<IpAddr>, interfaces: &[(String, IpAddr)]) -> Option<IpAddr> {
    let on_real = |ip: &IpAddr| {
        interfaces
            .iter()
            .filter(|(_, a)| a == ip)
            .all(|(name, _)| !is_virtual(name))
    };
    let usable = |ip: &IpAddr| match ip {
        IpAddr::V4(v4) => !v4.is_loopback() && !v4.is_unspecified() && !v4.is_link_local(),
        IpAddr::V6(_) => false,
    };
    let route = route.filter(|ip| usable(ip) && on_real(ip));
    if let Some(ip) = route.filter(|ip| private_rank(ip).is_some()) {
        return Some(ip);
    }
    let real_private = interfaces
        .iter()
        .filter(|(name, ip)| usable(ip) && !is_virtual(name))
        .filter_map(|(_, ip)| private_rank(ip).map(|rank| (rank, *ip)))
        .min_by_key(|(rank, _)| *rank)
        .map(|(_, ip)| ip);
    real_private
        .or(route)
        .or_else(|| interfaces.iter().map(|(_, ip)| *ip).find(usable))
}

fn is_virtual(name: &str) -> bool {
    VIRTUAL.iter().any(|prefix| name.starts_with(prefix))
}

/// How likely a private address is to be a venue's network (lower is
/// likelier: home routers and phone hotspots use 192.168, big Wi-Fi 10,
/// and 172.16/12 is where container networks usually sit); `None` if the
/// address is not private.
fn private_rank(ip: &IpAddr) -> Option<u8> {
    let IpAddr::V4(v4) = ip else { return None };
    let [a, b, ..] = v4.octets();
    match (a, b) {
        (192, 168) => Some(0),
        (10, _) => Some(1),
        (172, 16..=31) => Some(2),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("a test address")
    }

    fn named(list: &[(&str, &str)]) -> Vec<(String, IpAddr)> {
        list.iter().map(|(n, a)| ((*n).to_owned(), ip(a))).collect()
    }

    #[test]
    fn the_default_routes_private_address_wins() {
        let ifs = named(&[
            ("lo", "127.0.0.1"),
            ("eth0", "10.0.0.7"),
            ("wlan0", "192.168.1.20"),
        ]);
        assert_eq!(choose(Some(ip("10.0.0.7")), &ifs), Some(ip("10.0.0.7")));
    }

    #[test]
    fn offline_without_a_route_the_wifi_is_chosen_not_loopback_or_docker() {
        let ifs = named(&[
            ("lo", "127.0.0.1"),
            ("docker0", "172.17.0.1"),
            ("wlp2s0", "192.168.43.5"),
        ]);
        assert_eq!(choose(None, &ifs), Some(ip("192.168.43.5")));
        // The kernel's own fallback may name the bridge: it is passed over.
        assert_eq!(
            choose(Some(ip("172.17.0.1")), &ifs),
            Some(ip("192.168.43.5"))
        );
    }

    #[test]
    fn a_vpn_default_route_gives_way_to_the_room_network() {
        let ifs = named(&[
            ("lo", "127.0.0.1"),
            ("tun0", "10.8.0.2"),
            ("en0", "192.168.0.14"),
        ]);
        assert_eq!(choose(Some(ip("10.8.0.2")), &ifs), Some(ip("192.168.0.14")));
    }

    #[test]
    fn private_ranges_are_preferred_in_order() {
        let ifs = named(&[("eth1", "172.20.0.3"), ("eth0", "10.1.2.3")]);
        assert_eq!(choose(None, &ifs), Some(ip("10.1.2.3")));
        let ifs = named(&[("eth1", "172.20.0.3")]);
        assert_eq!(choose(None, &ifs), Some(ip("172.20.0.3")));
    }

    #[test]
    fn a_server_with_a_public_address_uses_it() {
        let ifs = named(&[("lo", "127.0.0.1"), ("eth0", "203.0.113.9")]);
        assert_eq!(
            choose(Some(ip("203.0.113.9")), &ifs),
            Some(ip("203.0.113.9"))
        );
        assert_eq!(choose(None, &ifs), Some(ip("203.0.113.9")));
    }

    #[test]
    fn loopback_and_link_local_are_never_chosen() {
        let ifs = named(&[
            ("lo", "127.0.0.1"),
            ("eth0", "169.254.3.4"),
            ("eth0", "::1"),
        ]);
        assert_eq!(choose(Some(ip("127.0.0.1")), &ifs), None);
    }

    #[test]
    fn only_a_bridge_is_still_better_than_nothing() {
        let ifs = named(&[("lo", "127.0.0.1"), ("docker0", "172.17.0.1")]);
        assert_eq!(choose(None, &ifs), Some(ip("172.17.0.1")));
    }

    #[test]
    fn this_machine_gets_an_address_when_it_has_a_network() {
        let interfaces = local_ip_address::list_afinet_netifas().unwrap_or_default();
        let has_network = interfaces.iter().any(|(_, ip)| match ip {
            IpAddr::V4(v4) => !v4.is_loopback() && !v4.is_link_local(),
            IpAddr::V6(_) => false,
        });
        let found = detect();
        assert_eq!(
            found.is_some(),
            has_network,
            "{found:?} from {interfaces:?}"
        );
        if let Some(found) = found {
            assert!(!found.is_loopback() && !found.is_unspecified(), "{found}");
        }
    }
}
