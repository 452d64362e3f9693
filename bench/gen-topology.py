#!/usr/bin/env python3
"""Print a synthetic topology of N Enterprise Edition pools (N even: pools are paired 1:1).

Each pair is shaped like the Contoso sample: the first pool of a pair has a replacement pool,
monitoring and archiving databases, Response Groups with audio, Call Park, an Edge pool and a
branch appliance; the second backs it up. Every name is unique, so the file validates without a
warning. About 800 bytes a pool: 1,000 pools are about 800 KB.

    python3 bench/gen-topology.py 1000 > topology.yaml
"""
import sys


def pool_pair(i):
    a, b = 2 * i, 2 * i + 1
    cms = "true" if i == 0 else "false"
    return f"""
  - id: p{a:04d}
    fqdn: pool{a:04d}.contoso.com
    edition: enterprise
    file_store: '\\\\fs{a:04d}.contoso.com\\LyncShare'
    app_server_service_id: '1-ApplicationServer-{a + 1}'
    hosts_cms: {cms}
    backup_pool:
      fqdn: pool{b:04d}.contoso.com
      backend:
        server: sqlbe{b:04d}.contoso.com
        instance: RTC
    replacement_pool:
      fqdn: pool{a:04d}c.contoso.com
      edition: enterprise
      file_store: '\\\\fs{a:04d}c.contoso.com\\LyncShare'
    services:
      response_groups: true
      call_park: true
      announcements: true
    edge_pools:
      - edge{a:04d}.contoso.com
    rgs_audio_sources:
      - '\\\\media.contoso.com\\RgsPrompts\\Pool{a:04d}'
    databases:
      - role: monitoring
        server: sqlmon{a:04d}.contoso.com
        instance: MON
        names: [LcsCDR, QoEMetrics]
      - role: archiving
        server: sqlarc{a:04d}.contoso.com
        instance: ARC
        names: [LcsLog]
    branch_appliances:
      - sba{a:04d}.contoso.com

  - id: p{b:04d}
    fqdn: pool{b:04d}.contoso.com
    edition: enterprise
    file_store: '\\\\fs{b:04d}.contoso.com\\LyncShare'
    hosts_cms: false
    backup_pool:
      fqdn: pool{a:04d}.contoso.com
      backend:
        server: sqlbe{a:04d}.contoso.com
        instance: RTC
    services:
      response_groups: true
      call_park: true
    rgs_audio_sources:
      - '\\\\media.contoso.com\\RgsPrompts\\Pool{b:04d}'
"""


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    out = [
        f"# Synthetic topology: {n} pools (bench/gen-topology.py).\n"
        "format: 1\n"
        "product: lync2013\n"
        "organization: Contoso Ltd\n"
        "\n"
        "backup:\n"
        "  root: 'D:\\AbcBackup'\n"
        "  copies:\n"
        "    - '\\\\dr-files.contoso.com\\LyncDR'\n"
        "  sql_backup_path: '\\\\sql-bak.contoso.com\\LyncSqlBackup'\n"
        "\n"
        "pools:"
    ]
    if n == 1:
        # One pool still needs its pool B in the topology's terms; a lone pool names one outside.
        out.append(pool_pair(0).split("\n  - id: p0001")[0])
    else:
        for i in range(n // 2):
            out.append(pool_pair(i))
    sys.stdout.write("".join(out).rstrip("\n") + "\n")


if __name__ == "__main__":
    main()
