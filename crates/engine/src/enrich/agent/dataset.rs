//! woothee's dataset: what each rule fills in (name, category, OS), for
//! the rules in [`super::clients`] and [`super::systems`].

use super::Category::{Appliance, Crawler, Misc, Mobilephone, Pc, Smartphone};
use super::{browser, full, system, Entry};

pub(super) const MSIE: Entry = browser("Internet Explorer");
pub(super) const EDGE: Entry = browser("Edge");
pub(super) const CHROME: Entry = browser("Chrome");
pub(super) const SAFARI: Entry = browser("Safari");
pub(super) const FIREFOX: Entry = browser("Firefox");
pub(super) const OPERA: Entry = browser("Opera");
pub(super) const VIVALDI: Entry = browser("Vivaldi");
pub(super) const SLEIPNIR: Entry = browser("Sleipnir");
pub(super) const GSA: Entry = browser("Google Search App");
pub(super) const WEBVIEW: Entry = browser("Webview");
pub(super) const YABROWSER: Entry = browser("Yandex Browser");
pub(super) const SAMSUNG: Entry = browser("SamsungBrowser");

pub(super) const WIN: Entry = system("Windows UNKNOWN Ver", Pc);
pub(super) const WIN10: Entry = system("Windows 10", Pc);
pub(super) const WIN8_1: Entry = system("Windows 8.1", Pc);
pub(super) const WIN8: Entry = system("Windows 8", Pc);
pub(super) const WIN7: Entry = system("Windows 7", Pc);
pub(super) const WIN_VISTA: Entry = system("Windows Vista", Pc);
pub(super) const WIN_XP: Entry = system("Windows XP", Pc);
pub(super) const WIN2000: Entry = system("Windows 2000", Pc);
pub(super) const WIN_NT4: Entry = system("Windows NT 4.0", Pc);
pub(super) const WIN98: Entry = system("Windows 98", Pc);
pub(super) const WIN95: Entry = system("Windows 95", Pc);
pub(super) const WIN_PHONE: Entry = system("Windows Phone OS", Smartphone);
pub(super) const WIN_CE: Entry = system("Windows CE", Smartphone);
pub(super) const OSX: Entry = system("Mac OSX", Pc);
pub(super) const MAC_OS: Entry = system("Mac OS Classic", Pc);
pub(super) const LINUX: Entry = system("Linux", Pc);
pub(super) const BSD: Entry = system("BSD", Pc);
pub(super) const CHROME_OS: Entry = system("ChromeOS", Pc);
pub(super) const ANDROID: Entry = system("Android", Smartphone);
pub(super) const IPHONE: Entry = system("iPhone", Smartphone);
pub(super) const IPAD: Entry = system("iPad", Smartphone);
pub(super) const IPOD: Entry = system("iPod", Smartphone);
pub(super) const IOS: Entry = system("iOS", Smartphone);
pub(super) const FIREFOX_OS: Entry = system("Firefox OS", Smartphone);
pub(super) const BLACKBERRY: Entry = system("BlackBerry", Smartphone);
pub(super) const BLACKBERRY10: Entry = system("BlackBerry 10", Smartphone);

pub(super) const DOCOMO: Entry = full("docomo", Mobilephone, "docomo");
pub(super) const AU: Entry = full("au by KDDI", Mobilephone, "au");
pub(super) const SOFTBANK: Entry = full("SoftBank Mobile", Mobilephone, "SoftBank");
pub(super) const WILLCOM: Entry = full("WILLCOM", Mobilephone, "WILLCOM");
pub(super) const JIG: Entry = full("jig browser", Mobilephone, "jig");
pub(super) const EMOBILE: Entry = full("emobile", Mobilephone, "emobile");
pub(super) const SYMBIAN: Entry = full("SymbianOS", Mobilephone, "SymbianOS");
pub(super) const TRANSCODER: Entry = full("Mobile Transcoder", Mobilephone, "Mobile Transcoder");
pub(super) const NINTENDO_3DS: Entry = full("Nintendo 3DS", Appliance, "Nintendo 3DS");
pub(super) const NINTENDO_DSI: Entry = full("Nintendo DSi", Appliance, "Nintendo DSi");
pub(super) const NINTENDO_WII: Entry = full("Nintendo Wii", Appliance, "Nintendo Wii");
pub(super) const NINTENDO_WIIU: Entry = full("Nintendo Wii U", Appliance, "Nintendo Wii U");
pub(super) const PSP: Entry = full("PlayStation Portable", Appliance, "PlayStation Portable");
pub(super) const PS_VITA: Entry = full("PlayStation Vita", Appliance, "PlayStation Vita");
pub(super) const PS3: Entry = full("PlayStation 3", Appliance, "PlayStation 3");
pub(super) const PS4: Entry = full("PlayStation 4", Appliance, "PlayStation 4");
pub(super) const XBOX360: Entry = full("Xbox 360", Appliance, "Xbox 360");
pub(super) const XBOX_ONE: Entry = full("Xbox One", Appliance, "Xbox One");
pub(super) const DIGITAL_TV: Entry = full("InternetTVBrowser", Appliance, "DigitalTV");
pub(super) const SAFARI_RSS: Entry = full("Safari RSSReader", Misc, "");
pub(super) const GOOGLE_DESKTOP: Entry = full("Google Desktop", Misc, "");
pub(super) const WINDOWS_RSS: Entry = full("Windows RSSReader", Misc, "");
pub(super) const RSS_READER: Entry = full("RSSReader", Misc, "");
pub(super) const HTTP_LIBRARY: Entry = full("HTTP Library", Misc, "");

/// A crawler: woothee names it and leaves the OS unknown.
pub(super) const fn crawler(name: &'static str) -> Entry {
    full(name, Crawler, "")
}
