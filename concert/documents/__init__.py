"""Documents as plain data, below both the services that assemble them and the exports that
render them (STYLE.md: "Documents have one model"): `model` (the contract, workshop minutes,
any document) and `commitment_list` (the list's columns, cells and sheets)."""
