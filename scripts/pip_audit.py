"""`make test`: pip-audit of the installed dependencies against PyPI's vulnerability data.
Fails on a known vulnerability. Where that service cannot be reached (no network, or a
package mirror without it), says so and skips, rather than failing the build."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

PIP_AUDIT = Path(sys.executable).with_name("pip-audit")


def main() -> int:
    run = subprocess.run([str(PIP_AUDIT), "--skip-editable", "--progress-spinner", "off",
                          "--format", "json"], capture_output=True, text=True, timeout=600)
    try:
        report = json.loads(run.stdout)
    except json.JSONDecodeError:
        print(f"pip-audit SKIPPED: PyPI's vulnerability service could not be reached "
              f"({run.stderr.strip().splitlines()[-1:] or ['no answer']}).")
        return 0
    audited = [d for d in report["dependencies"] if "skip_reason" not in d]
    if not audited:
        print("pip-audit SKIPPED: PyPI's vulnerability service answered for no dependency "
              "from here (a mirror without it?); nothing was audited.")
        return 0
    vulnerable = [d for d in audited if d.get("vulns")]
    for dep in vulnerable:
        for vuln in dep["vulns"]:
            print(f"{dep['name']} {dep['version']}: {vuln['id']} "
                  f"(fixed in {', '.join(vuln.get('fix_versions') or ['?'])})")
    print(f"pip-audit: {len(audited)} dependencies audited, {len(vulnerable)} vulnerable.")
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main())
