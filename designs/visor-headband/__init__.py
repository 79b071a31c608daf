"""The visor-headband design, a package: model.py implements cad.contract.DesignModel."""
