"""Letters: templates, layout, Intelligent Mail barcode, letter ids."""
