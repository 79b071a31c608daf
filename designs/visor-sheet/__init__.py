"""The visor-sheet design, a package: model.py implements cad.contract.DesignModel."""
