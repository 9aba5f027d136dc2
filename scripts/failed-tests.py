#!/usr/bin/env python3
"""Prints each failed test of the given .trx files with the start of its message, so that a CI log whose tail is
all that is kept still names what failed and why (the test's own output comes before it and may be long)."""
import sys
import xml.etree.ElementTree as ElementTree

NAMESPACE = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}

for path in sys.argv[1:]:
    for result in ElementTree.parse(path).getroot().iterfind(".//t:UnitTestResult[@outcome='Failed']", NAMESPACE):
        message = result.findtext("t:Output/t:ErrorInfo/t:Message", default="", namespaces=NAMESPACE).strip()
        print("FAILED %s: %s" % (result.get("testName"), message[:1500]))
