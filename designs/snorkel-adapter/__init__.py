"""The snorkel-adapter design, a package: model.py implements cad.contract.DesignModel."""
