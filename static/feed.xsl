<?xml version="1.0" encoding="utf-8"?>
<!-- A feed opened in a browser reads as a page: what a feed is, how to use it, and its entries. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform" xmlns:a="http://www.w3.org/2005/Atom" xmlns:lx="urn:lianxin:view" exclude-result-prefixes="a lx">
  <xsl:output method="html" encoding="utf-8" doctype-system="about:legacy-compat"/>
  <xsl:template match="/a:feed">
    <html lang="zh-CN">
      <xsl:if test="lx:care"><xsl:attribute name="class">care</xsl:attribute></xsl:if>
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title><xsl:value-of select="a:title"/> · 订阅源</title>
        <link rel="stylesheet" href="/static/css/site.css"/>
      </head>
      <body>
        <header class="site-header">
          <div class="wrap header-row">
            <a class="brand" href="/"><img src="/static/img/logo.svg" alt="" width="36" height="36"/><span class="brand-text"><strong>连心桥</strong><small>群众满意度与整改反馈平台</small></span></a>
          </div>
        </header>
        <main id="main" class="wrap">
          <h1><xsl:value-of select="a:title"/></h1>
          <p class="notice">这是一个订阅源（RSS/Atom）：把本页地址复制到阅读软件里，有新动态时会自动收到。<a href="/subscribe">怎样订阅？</a></p>
          <ol class="items ranked">
            <xsl:for-each select="a:entry">
              <li class="item">
                <h2 class="item-title"><a href="{a:link/@href}"><xsl:value-of select="a:title"/></a></h2>
                <p class="update-meta"><xsl:value-of select="substring(a:updated, 1, 10)"/></p>
                <p><xsl:value-of select="a:summary"/></p>
              </li>
            </xsl:for-each>
          </ol>
          <xsl:if test="not(a:entry)"><p class="empty">暂无动态。</p></xsl:if>
        </main>
      </body>
    </html>
  </xsl:template>
</xsl:stylesheet>
